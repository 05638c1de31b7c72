/** The static checks' vocabulary: a check runs over the repository and returns findings, or says why it could not run. */
import type { ProjectConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { Layout } from './layout.js';

export type Severity = 'error' | 'warning' | 'notice';

export interface Finding {
  /** Path relative to the repository root (what GitHub annotations expect). */
  file: string;
  line?: number;
  col?: number;
  severity: Severity;
  message: string;
  /** Short rule id, e.g. DF001 or actionlint's kind. */
  rule?: string;
}

/** What a check returns: findings over the files it looked at, or the reason it could not run. */
export interface CheckOutcome {
  findings: Finding[];
  /** Files (relative) the check looked at; a check that looked at nothing must say skipped instead. */
  checked: string[];
  /** Set when the check could not run: never a silent pass. */
  skipped?: string;
}

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface CheckResult extends CheckOutcome {
  name: string;
  title: string;
  status: CheckStatus;
  ms: number;
}

export interface CheckContext {
  /** Absolute repository root; findings are relative to it. */
  root: string;
  /** The project configuration, or undefined when erp-deploy.yml is missing/invalid (checks fall back to conventions). */
  config?: ProjectConfig;
  logger: Logger;
  /** Compare against this git ref (secret scanning of the change); undefined: every tracked file. */
  baseRef?: string;
  /** Environment for tools (PATH, proxies); defaults to process.env. */
  env: NodeJS.ProcessEnv;
  /** Where the compose files, gates, Prometheus and dashboards are. */
  layout: Layout;
  /** The repository's files (relative, git's view when in a work tree), listed once and shared by the checks. */
  files(): Promise<string[]>;
}

export interface Check {
  name: string;
  title: string;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

export interface ValidationReport {
  root: string;
  results: CheckResult[];
  /** True when no check failed (skipped checks do not fail the run, but are listed). */
  ok: boolean;
  passed: string[];
  failed: string[];
  skipped: string[];
  ms: number;
  /** Problems with the project configuration itself (missing/invalid erp-deploy.yml). */
  configProblem?: string;
}

/** A check's outcome when its tool or input is not there. */
export function skipped(reason: string, checked: string[] = []): CheckOutcome {
  return { findings: [], checked, skipped: reason };
}
