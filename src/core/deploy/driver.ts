/**
 * A driver makes a target's engine run a prepared compose document. Compose and Swarm implement it; a
 * Kubernetes driver would too (current → what runs, apply → roll out and wait for health, remove).
 */
import type { Logger } from '../log.js';
import type { Mapping } from './compose-doc.js';
import type { SecretFile } from './secrets.js';
import type { Target } from './target.js';

export type Health = 'healthy' | 'starting' | 'unhealthy' | 'running' | 'stopped' | 'missing';

export interface RunningService {
  service: string;
  /** The image reference the service was created with. */
  ref: string;
  /** Image ids its containers/tasks run now (one per replica on this node). */
  imageIds: string[];
  /** The erp-deploy config-hash label it carries ('' when deployed by something else). */
  configHash: string;
  health: Health;
  replicas: { running: number; desired: number };
}

export interface PrepareContext {
  project: string;
  secrets: SecretFile[];
  logger: Logger;
  /** <stateDir>/<project> on the target. */
  stateRoot: string;
  /** What check() found on the host. */
  facts: Record<string, string>;
  /** Interpolation variables (the environment's env map over the process environment). */
  vars: Record<string, string | undefined>;
}

export interface ApplyRequest {
  target: Target;
  project: string;
  /** The document to deploy (already prepared for this driver by `prepare`). */
  document: Mapping;
  /** Where it was written on the target. */
  composeFile: string;
  /** Services to roll out, in dependency order, grouped by level (each level waits for the one before). */
  levels: string[][];
  /** service → image id each changed service must end up running ('' when unknown). */
  expectImageIds: Record<string, string>;
  timeoutMs: number;
  logger: Logger;
  stateRoot: string;
}

export interface ApplyResult {
  ok: boolean;
  /** What went wrong, in one or two sentences, when not ok. */
  message?: string;
  /** Service that failed first. */
  failedService?: string;
}

export interface Driver {
  readonly name: string;
  /** Turn the generic prepared document into what this driver deploys (e.g. Swarm's deploy: keys). */
  prepare(document: Mapping, ctx: PrepareContext): Mapping;
  /**
   * Fail with a clear message when the host lacks what the driver needs (engine, compose, swarm); returns
   * facts about the host that prepare() uses (e.g. Swarm's routing: ingress or edge).
   */
  check(
    target: Target,
    logger: Logger,
    opts: { initSwarm?: boolean; vars: Record<string, string | undefined> },
  ): Promise<Record<string, string>>;
  /** Validate a written file with the tool itself (compose config / stack config). */
  validate(target: Target, project: string, composeFile: string): Promise<void>;
  current(target: Target, project: string): Promise<Record<string, RunningService>>;
  apply(req: ApplyRequest): Promise<ApplyResult>;
  /** Remove everything the project runs (volumes kept unless asked). */
  remove(target: Target, project: string, opts?: { volumes?: boolean }): Promise<void>;
  /**
   * apply() hands the whole document to the engine, which updates every service whose spec differs (Swarm's
   * stack deploy), so kept services must be written with the image reference they run now.
   */
  readonly deploysWholeDocument?: boolean;
  /** What this driver cannot guarantee, said once per deploy. */
  readonly caveat?: string;
}
