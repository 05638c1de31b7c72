/**
 * runValidation: every static check of the deployable over one repository, each timed, none able to pass
 * silently (a check that cannot run is "skipped" with its reason). The CLI and the test action both call this.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, CONFIG_FILE } from '../config/load.js';
import type { ProjectConfig } from '../config/types.js';
import { InputError, messageOf } from '../errors.js';
import { MemoryLogger, type Logger } from '../log.js';
import { repositoryFiles } from './files.js';
import { layoutOf } from './layout.js';
import { ALL_CHECKS } from './checks/index.js';
import type { Check, CheckContext, CheckResult, Finding, ValidationReport } from './types.js';

export interface ValidateOptions {
  /** Repository root (default: the current directory). */
  root?: string;
  /** erp-deploy.yml path relative to root, or an already loaded configuration. */
  config?: string | ProjectConfig;
  /** Names of the checks to run (default: all). Unknown names are bad input. */
  checks?: string[];
  /** Secret-scan the change since this ref instead of every tracked file. */
  baseRef?: string;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Replace the check list (tests). */
  available?: Check[];
}

export const CHECK_NAMES = ALL_CHECKS.map((c) => c.name);

export function selectChecks(names: string[] | undefined, available: Check[] = ALL_CHECKS): Check[] {
  const wanted = (names ?? []).map((n) => n.trim()).filter(Boolean);
  if (wanted.length === 0 || wanted.includes('all')) return available;
  const unknown = wanted.filter((n) => !available.some((c) => c.name === n));
  if (unknown.length) {
    throw new InputError(
      `unknown check ${unknown.join(', ')}; expected some of: all, ${available.map((c) => c.name).join(', ')}`,
      undefined,
      'checks',
    );
  }
  return available.filter((c) => wanted.includes(c.name));
}

/** Load erp-deploy.yml if it is there; a broken one is reported (and the checks fall back to the conventions). */
export function tryLoadConfig(
  root: string,
  config: string | ProjectConfig | undefined,
): { config?: ProjectConfig; problem?: string } {
  if (config && typeof config === 'object') return { config };
  const file = resolve(root, config ?? CONFIG_FILE);
  if (!existsSync(file))
    return { problem: `${config ?? CONFIG_FILE} not found (create one with \`erp-deploy init\`)` };
  try {
    return { config: loadConfig(file, root) };
  } catch (e) {
    return { problem: messageOf(e) };
  }
}

export async function runValidation(opts: ValidateOptions = {}): Promise<ValidationReport> {
  const started = Date.now();
  const root = resolve(opts.root ?? process.cwd());
  const logger = opts.logger ?? new MemoryLogger();
  const checks = selectChecks(opts.checks, opts.available);
  const { config, problem } = tryLoadConfig(root, opts.config);
  let listed: Promise<string[]> | undefined;
  const ctx: CheckContext = {
    root,
    config,
    logger,
    baseRef: opts.baseRef || undefined,
    env: opts.env ?? process.env,
    layout: layoutOf(config),
    files: () => (listed ??= repositoryFiles(root)),
  };
  const results: CheckResult[] = [];
  for (const check of checks) {
    results.push(await logger.group(`check: ${check.title}`, () => runOne(check, ctx)));
  }
  const by = (s: string): string[] => results.filter((r) => r.status === s).map((r) => r.name);
  return {
    root,
    results,
    ok: by('failed').length === 0 && !problem,
    passed: by('passed'),
    failed: by('failed'),
    skipped: by('skipped'),
    ms: Date.now() - started,
    configProblem: problem,
  };
}

/** The same finding reached twice (an overlay merged per environment, a rule file checked via its config) counts once. */
export function dedupe(list: Finding[]): Finding[] {
  const seen = new Set<string>();
  return list.filter((f) => {
    const k = `${f.file}:${f.line}:${f.col}:${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

async function runOne(check: Check, ctx: CheckContext): Promise<CheckResult> {
  const started = Date.now();
  const base = { name: check.name, title: check.title };
  try {
    const raw = await check.run(ctx);
    const out = { ...raw, findings: dedupe(raw.findings) };
    const status = out.skipped
      ? 'skipped'
      : out.findings.some((f) => f.severity === 'error')
        ? 'failed'
        : 'passed';
    const result: CheckResult = { ...base, ...out, status, ms: Date.now() - started };
    for (const f of out.findings) {
      const where = {
        file: f.file,
        line: f.line,
        col: f.col,
        title: `${check.name}${f.rule ? ` ${f.rule}` : ''}`,
      };
      if (f.severity === 'error') ctx.logger.error(f.message, where);
      else ctx.logger.warn(f.message, where);
    }
    ctx.logger.info(
      out.skipped
        ? `${check.name}: skipped: ${out.skipped}`
        : `${check.name}: ${status} (${out.checked.length} file(s), ${out.findings.length} finding(s))`,
    );
    return result;
  } catch (e) {
    // A check that crashes has not passed: report it as failed with the reason, never as a pass.
    const message = `the check crashed: ${messageOf(e)}`;
    ctx.logger.error(`${check.name}: ${message}`);
    return {
      ...base,
      status: 'failed',
      findings: [{ file: '.', severity: 'error', message }],
      checked: [],
      ms: Date.now() - started,
    };
  }
}
