/**
 * Runs a composite action.yml's `run:` steps the way the runner does (bash, env, working-directory, if:,
 * continue-on-error, GITHUB_ENV/GITHUB_OUTPUT files, ${{ }} for inputs, runner, steps, github). `uses:` steps
 * are left out: setup-python/setup-node are replaced by the host's Python venv and Node on PATH.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { run } from '../../src/core/exec.js';

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
  'continue-on-error'?: boolean;
}

interface ActionYml {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
}

export interface CompositeRun {
  steps: { name: string; outcome: 'success' | 'failure' | 'skipped'; stdout: string; stderr: string }[];
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
}

function readKeyValueFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(path)) return out;
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i]);
      out[heredoc[1]] = body.join('\n');
    } else if (lines[i].includes('=')) {
      const k = lines[i].slice(0, lines[i].indexOf('='));
      out[k] = lines[i].slice(k.length + 1);
    }
  }
  return out;
}

export async function runComposite(
  actionYml: string,
  inputs: Record<string, string>,
  opts: { workspace: string; env: NodeJS.ProcessEnv; github?: Record<string, string>; timeoutMs?: number },
): Promise<CompositeRun> {
  const action = parse(readFileSync(actionYml, 'utf8')) as ActionYml;
  const temp = mkdtempSync(join(tmpdir(), 'erp-composite-'));
  const files = { env: join(temp, 'env'), output: '', summary: join(temp, 'summary.md') };
  writeFileSync(files.env, '');
  writeFileSync(files.summary, '');
  const input = (name: string): string => inputs[name] ?? action.inputs[name]?.default ?? '';
  const steps: CompositeRun['steps'] = [];
  const byId: Record<string, { outcome: string; outputs: Record<string, string> }> = {};
  const gh = { token: '', workspace: opts.workspace, ...(opts.github ?? {}) };
  const expr = (text: string): string =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, e: string) => {
      let m = /^inputs\.([\w-]+)$/.exec(e);
      if (m) return input(m[1]);
      if (e === 'runner.temp') return temp;
      m = /^steps\.([\w-]+)\.outcome$/.exec(e);
      if (m) return byId[m[1]]?.outcome ?? '';
      m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(e);
      if (m) return byId[m[1]]?.outputs[m[2]] ?? '';
      m = /^github\.([\w.]+)$/.exec(e);
      if (m) return (gh as Record<string, string>)[m[1]] ?? '';
      throw new Error(`expression not supported by the test runner: ${e}`);
    });
  const condition = (c: string | undefined): boolean => {
    if (!c) return true;
    const m = /^inputs\.([\w-]+)\s*==\s*'([^']*)'$/.exec(c.trim());
    if (!m) throw new Error(`if: not supported by the test runner: ${c}`);
    return input(m[1]) === m[2];
  };
  let env: NodeJS.ProcessEnv = {
    ...opts.env,
    GITHUB_WORKSPACE: opts.workspace,
    GITHUB_ACTION_PATH: dirname(resolve(actionYml)),
    GITHUB_ENV: files.env,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: temp,
  };
  let stdout = '';
  for (const [i, step] of action.runs.steps.entries()) {
    const name = step.name ?? step.id ?? `step ${i}`;
    if (step.uses || !condition(step.if)) {
      steps.push({ name, outcome: 'skipped', stdout: '', stderr: '' });
      if (step.id) byId[step.id] = { outcome: 'skipped', outputs: {} };
      continue;
    }
    files.output = join(temp, `output-${i}`);
    writeFileSync(files.output, '');
    const stepEnv: NodeJS.ProcessEnv = { ...env, GITHUB_OUTPUT: files.output };
    for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = expr(String(v));
    const res = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', expr(step.run ?? '')], {
      cwd: resolve(opts.workspace, expr(step['working-directory'] ?? '.')),
      env: stepEnv,
      ignoreReturnCode: true,
      timeoutMs: opts.timeoutMs ?? 300_000,
    });
    const outcome = res.code === 0 ? 'success' : 'failure';
    stdout += res.stdout;
    steps.push({ name, outcome, stdout: res.stdout, stderr: res.stderr });
    if (step.id) byId[step.id] = { outcome, outputs: readKeyValueFile(files.output) };
    env = { ...env, ...readKeyValueFile(files.env) };
    if (outcome === 'failure' && !step['continue-on-error']) break;
  }
  return {
    steps,
    outputs: byId.report?.outputs ?? {},
    summary: readFileSync(files.summary, 'utf8'),
    stdout,
  };
}
