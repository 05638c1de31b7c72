/**
 * The test action's JS entry (called by actions/test/action.yml after pytest): the app tests' JUnit report as
 * annotations and a summary table, the static checks with annotations, one PR comment, outputs.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import * as core from '@actions/core';
import { getBool, getList, getOptional } from '../common/inputs.js';
import { actionsLogger } from '../common/logger.js';
import type { Logger, Where } from '../../core/log.js';
import { InputError, messageOf } from '../../core/errors.js';
import {
  runValidation,
  validationMarkdown,
  missingFiles,
  formatMissing,
  tryLoadConfig,
} from '../../core/validate/index.js';
import { parseJUnit, testsMarkdown, type TestReport } from '../../core/validate/junit.js';
import type { ValidationReport } from '../../core/validate/types.js';
import { pullRequestOf, upsertComment } from './pr-comment.js';

export interface Inputs {
  config: string;
  workingDirectory: string;
  checks: string[];
  githubToken?: string;
  baseRef?: string;
  /** JUnit XML written by the composite's pytest step (empty: no app tests in this run). */
  junitFile?: string;
  /** The pytest step's outcome (success, failure, skipped), from the composite. */
  pytestOutcome?: string;
}

export function getInputs(): Inputs {
  return {
    config: getOptional('config') ?? 'erp-deploy.yml',
    workingDirectory: getOptional('working-directory') ?? '.',
    checks: getList('checks'),
    githubToken: getOptional('github-token'),
    baseRef: getOptional('base-ref'),
    junitFile: getBool('run-tests', true) ? getOptional('junit-file') : undefined,
    pytestOutcome: getOptional('pytest-outcome'),
  };
}

const workspace = (): string => process.env.GITHUB_WORKSPACE ?? process.cwd();

/**
 * pytest reports paths relative to its rootdir (the nearest pytest.ini/pyproject.toml), which may sit below the
 * working directory: find the file below the working directory when it is not directly there.
 */
export function locateTestFile(base: string, p: string, maxDepth = 4): string {
  if (isAbsolute(p)) return p;
  if (existsSync(join(base, p))) return join(base, p);
  let found: string | undefined;
  const walk = (dir: string, depth: number): void => {
    if (found || depth > maxDepth) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (found) return;
      if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
      const d = join(dir, e.name);
      if (existsSync(join(d, p))) found = join(d, p);
      else walk(d, depth + 1);
    }
  };
  walk(base, 0);
  return found ?? join(base, p);
}

/** App tests: annotations at the failing file:line (relative to the workspace) and the summary table. */
async function reportTests(
  inputs: Inputs,
): Promise<{ report?: TestReport; failed: boolean; markdown: string }> {
  if (!inputs.junitFile) return { failed: false, markdown: '' };
  const file = resolve(workspace(), inputs.junitFile);
  if (!existsSync(file)) {
    const why = `pytest wrote no JUnit report (${inputs.junitFile}); its step ended with "${inputs.pytestOutcome ?? 'unknown'}"`;
    core.error(why, { title: 'application tests' });
    return { failed: true, markdown: `### Application tests: failed\n\n${why}\n` };
  }
  const report = parseJUnit(readFileSync(file, 'utf8'));
  const base = resolve(workspace(), inputs.workingDirectory);
  const rel = (p: string): string => relative(workspace(), locateTestFile(base, p));
  for (const c of report.cases) {
    if (c.outcome !== 'failed' && c.outcome !== 'error') continue;
    core.error(`${c.message ?? c.outcome}\n\n${(c.details ?? '').slice(0, 4000)}`, {
      title: `${c.outcome === 'error' ? 'error in' : 'failed:'} ${c.id}`,
      file: c.file ? rel(c.file) : undefined,
      startLine: c.line,
    });
  }
  const failed =
    report.failed + report.errors > 0 || report.cases.length === 0 || inputs.pytestOutcome === 'failure';
  core.info(
    `application tests: ${report.passed} passed, ${report.failed} failed, ${report.errors} errors, ${report.skipped} skipped`,
  );
  if (report.cases.length === 0)
    core.error('the JUnit report holds no test case: pytest collected nothing', {
      title: 'application tests',
    });
  const prefix = relative(workspace(), base);
  return { report, failed, markdown: testsMarkdown(report, prefix ? `${prefix}/` : '') };
}

async function runChecks(inputs: Inputs): Promise<ValidationReport | undefined> {
  if (inputs.checks.length === 1 && inputs.checks[0] === 'none') return undefined;
  const configFile = resolve(workspace(), inputs.config);
  const root = dirname(configFile);
  const { config, problem } = tryLoadConfig(root, configFile);
  if (!config) {
    const missing = missingFiles(root, config, configFile);
    throw new InputError(
      `${problem ?? 'no configuration'}\n${formatMissing(missing)}`,
      relative(workspace(), configFile),
    );
  }
  // Annotations need workspace-relative paths; findings are relative to the configuration's directory.
  const prefix = relative(workspace(), root);
  const at = (w?: Where): Where | undefined => (w?.file && prefix ? { ...w, file: join(prefix, w.file) } : w);
  const logger: Logger = {
    ...actionsLogger,
    warn: (m, w) => actionsLogger.warn(m, at(w)),
    error: (m, w) => actionsLogger.error(m, at(w)),
  };
  return runValidation({ root, config, checks: inputs.checks, baseRef: inputs.baseRef, logger });
}

export async function main(): Promise<void> {
  const inputs = getInputs();
  const tests = await core.group('Application tests (JUnit)', () => reportTests(inputs));
  const checks = await core.group('Static checks', () => runChecks(inputs));
  const failedChecks = [...(tests.failed ? ['tests'] : []), ...(checks?.failed ?? [])];
  const ok = failedChecks.length === 0 && (checks?.ok ?? true);
  const body = [
    `## erp-deploy test: ${ok ? '✅ passed' : '❌ failed'}`,
    '',
    tests.markdown,
    checks ? validationMarkdown(checks) : '',
  ].join('\n');
  await core.summary.addRaw(body).write();
  core.setOutput('result', ok ? 'success' : 'failure');
  core.setOutput('failed-checks', failedChecks.join(','));
  const pr = pullRequestOf();
  if (pr && inputs.githubToken) {
    try {
      const done = await upsertComment(inputs.githubToken, pr, body);
      core.info(`PR #${pr.number}: comment ${done.action} (${done.id})`);
    } catch (e) {
      core.warning(
        `could not post the PR comment (the token may lack pull-requests: write): ${messageOf(e)}`,
      );
    }
  }
  if (!ok) core.setFailed(`failed: ${failedChecks.join(', ') || 'configuration'}`);
}
