/**
 * One deploy-core operation on one environment: resolve the environment and its driver, open its target,
 * check the engine and the driver's needs, and (for changing operations) hold the lock for the duration.
 * The target is closed and the lock released whatever happens.
 */
import type { EnvironmentConfig, ProjectConfig } from '../config/types.js';
import { environmentOf } from '../config/load.js';
import type { Logger } from '../log.js';
import { parseDuration } from '../duration.js';
import { drivers } from './drivers.js';
import type { Driver } from './driver.js';
import { checkEngine } from './engine.js';
import { messageOf } from '../errors.js';
import { acquireLock, releaseLock, whoAmI, type LockHolder } from './lock.js';
import { statePaths, type StatePaths } from './state.js';
import type { Target } from './target.js';
import { openTarget } from './targets.js';

export interface DeployContext {
  config: ProjectConfig;
  /** Environment name as the configuration declares it. */
  environment: string;
  logger: Logger;
  /** Variables: secrets, the SSH key, compose interpolation (default: process.env). */
  vars?: NodeJS.ProcessEnv;
  /** An open target to use (it is not closed); otherwise the environment's target is opened and closed. */
  target?: Target;
}

export interface LockOptions {
  /** Wait this long for a held lock (0: fail at once). */
  lockWaitMs?: number;
  /** Who, for the lock, the release and the audit log (default: GitHub actor + run, or user@host). */
  who?: string;
  /** Called as soon as the lock is held: the action saves the token so its post step can free it. */
  onLocked?: (holder: LockHolder) => void;
  /** Create a single-node swarm (advertise 127.0.0.1) when the engine is not in one (swarm driver). */
  initSwarm?: boolean;
}

export interface Session {
  env: EnvironmentConfig;
  driver: Driver;
  target: Target;
  paths: StatePaths;
  vars: NodeJS.ProcessEnv;
  who: string;
  healthTimeoutMs: number;
  /** What the driver's check found on the host. */
  facts: Record<string, string>;
}

export async function withSession<T>(
  ctx: DeployContext,
  opts: LockOptions & { lock?: string; check?: boolean },
  fn: (s: Session) => Promise<T>,
): Promise<T> {
  const env = environmentOf(ctx.config, ctx.environment);
  const driver = drivers(env.driver);
  const vars = ctx.vars ?? process.env;
  const target = ctx.target ?? (await openTarget(env, ctx.logger, vars));
  try {
    const s: Session = {
      env,
      driver,
      target,
      paths: statePaths(ctx.config.stateDir, env.projectName),
      vars,
      who: opts.who ?? whoAmI(vars),
      healthTimeoutMs: parseDuration(env.healthTimeout) ?? 180_000,
      facts: {},
    };
    if (opts.check !== false) {
      const version = await checkEngine(target);
      ctx.logger.debug(`engine ${version} on ${target.description}`);
      s.facts = await driver.check(target, ctx.logger, {
        initSwarm: opts.initSwarm ?? ['1', 'true'].includes(env.env.ERP_SWARM_INIT ?? ''),
        vars: { ...env.env, ...vars },
      });
    }
    if (!opts.lock) return await fn(s);
    const holder = await acquireLock(target, s.paths, {
      reason: opts.lock,
      who: s.who,
      waitMs: opts.lockWaitMs,
      logger: ctx.logger,
    });
    opts.onLocked?.(holder);
    const release = () => releaseLock(target, s.paths, { token: holder.token, who: s.who });
    let result;
    try {
      result = await fn(s);
    } catch (err) {
      // Never hide the deploy's own error behind the release's; the post step (or
      // `erp-deploy lock <env> release`) frees the lock over a new connection.
      await release().catch((e: unknown) =>
        ctx.logger.warn(
          `could not release the deploy lock: ${messageOf(e)}; free it with \`erp-deploy lock release\``,
        ),
      );
      throw err;
    }
    await release();
    return result;
  } finally {
    if (!ctx.target) await target.close();
  }
}
