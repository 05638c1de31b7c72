/**
 * The pipeline's contract: the reusable workflow's jobs as injected steps, so the same order and the same
 * failure rules run locally (`erp-deploy pipeline`) and are unit-tested with in-memory steps.
 */
import type { ImageMap } from '../images/types.js';
import type { Verdict } from '../gates/types.js';

export type { Verdict };

/** test → build → deploy/check staging → deploy/check production, with rollbacks on failure. */
export type StageKind = 'test' | 'build' | 'deploy' | 'check' | 'rollback';
export type StageStatus = 'passed' | 'failed' | 'skipped';

export interface TestOutcome {
  ok: boolean;
  /** Names of the checks that failed (lint, config, compose, gates, pytest …). */
  failedChecks: string[];
}

export interface BuildOutcome {
  ok: boolean;
  images: ImageMap;
  /** Where the build metadata was written (the workflow uploads it as an artifact). */
  metadataPath?: string;
}

export interface DeployOutcome {
  ok: boolean;
  releaseId: string;
  /** The release that ran before: what a rollback restores. Empty on a first deploy. */
  previousReleaseId: string;
  url: string;
  /** Whether anything on the target changed (a failed deploy that changed nothing needs no rollback). */
  changed: boolean;
  /** The rollout failed and restored this release by itself (the deploy core's automatic rollback). */
  rolledBackTo?: string;
  message?: string;
}

export interface CheckOutcome {
  verdict: Verdict;
  failedGates: string[];
  reportPath?: string;
}

export interface RollbackOutcome {
  ok: boolean;
  /** The release running after the rollback. */
  releaseId: string;
  message?: string;
}

export interface DeployRequest {
  environment: string;
  images: ImageMap;
  release: string;
}

export interface CheckRequest {
  environment: string;
  release: string;
  /** The release the environment ran before (the gate's `previous` baseline). */
  baselineRelease: string;
}

export interface RollbackRequest {
  environment: string;
  /** The release to restore; empty: the one before the current. */
  toRelease: string;
  /** Why (the failed gate or rollout), recorded in the audit log. */
  reason: string;
}

/** One interface per step of the reusable workflow; the CLI wires the real core, tests inject fakes. */
export interface PipelineSteps {
  test(): Promise<TestOutcome>;
  build(release: string): Promise<BuildOutcome>;
  deploy(req: DeployRequest): Promise<DeployOutcome>;
  check(req: CheckRequest): Promise<CheckOutcome>;
  rollback(req: RollbackRequest): Promise<RollbackOutcome>;
}

export interface PipelineOptions {
  /** The release being shipped (e.g. sha-1a2b3c4); the same id every environment records. */
  release: string;
  stagingEnvironment: string;
  productionEnvironment: string;
  /** Production hotfix: skip staging. Requires a reason. */
  skipStaging?: { reason: string };
  /** Stop after staging (pull-request and dry pipelines). */
  stagingOnly?: boolean;
}

export interface StageRecord {
  /** e.g. "deploy staging". */
  name: string;
  kind: StageKind;
  environment?: string;
  status: StageStatus;
  detail: string;
  ms: number;
}

export interface EnvironmentResult {
  environment: string;
  releaseId?: string;
  previousReleaseId?: string;
  url?: string;
  verdict?: Verdict;
  failedGates: string[];
  reportPath?: string;
  rolledBack?: { ok: boolean; releaseId: string; message?: string };
}

export interface PipelineResult {
  ok: boolean;
  release: string;
  stages: StageRecord[];
  images: ImageMap;
  buildMetadataPath?: string;
  environments: Record<string, EnvironmentResult>;
  /** The first thing that failed, in one line ("gate failed on staging: error-rate, p95"). */
  failure?: string;
}
