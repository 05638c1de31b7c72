/**
 * Helpers for the build-images e2e tests: run the bundled action the way GitHub runs it (INPUT_* variables,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files), read its outputs, and copy the fixture stack to a scratch
 * directory that a test may change.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/core/exec.js';
import type { ImageMap } from '../../src/core/images/types.js';
import { parseEnvFile } from '../../src/core/stack/env-file.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUNDLE = join(ROOT, 'dist/build-images/index.js');
export const FIXTURE = join(ROOT, 'test/fixtures/build-stack');

/** The offline variables (.erp-deploy/images.env) every build on this machine needs. */
export function offlineEnv(): Record<string, string> {
  const file = join(ROOT, '.erp-deploy/images.env');
  return existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8'), file) : {};
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  images?: ImageMap;
}

/** GITHUB_OUTPUT's `name<<delimiter` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const end = lines.indexOf(m[2], i + 1);
    out[m[1]] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return out;
}

/** Run dist/build-images/index.js in `cwd` with inputs as GitHub passes them (INPUT_<NAME uppercased>). */
export async function runAction(
  cwd: string,
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'erpt-gh-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/feature/e2e',
    ...offlineEnv(),
    ...extraEnv,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  const r = await run(process.execPath, [BUNDLE], {
    cwd,
    env,
    ignoreReturnCode: true,
    timeoutMs: 15 * 60_000,
  });
  const outputs = parseOutputs(readFileSync(outputFile, 'utf8'));
  return {
    ...r,
    outputs,
    summary: readFileSync(summaryFile, 'utf8'),
    images: outputs.images ? (JSON.parse(outputs.images) as ImageMap) : undefined,
  };
}

/** A scratch copy of the fixture stack (the tests change files in it). */
export function fixtureCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'erpt-build-stack-'));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}
