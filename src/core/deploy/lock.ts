/**
 * The deploy lock, on the target itself (Kamal's way): `mkdir <state>/lock` is atomic on every POSIX file
 * system, so of two deploys only one creates it. holder.json inside names who holds it, why and since when.
 * The token lets a post step release only a lock its own run took.
 */
import { hostname, userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { FailedError } from '../errors.js';
import { formatDuration } from '../duration.js';
import type { Logger } from '../log.js';
import { audit, ensureState, type StatePaths } from './state.js';
import type { Target } from './target.js';

export interface LockHolder {
  holder: string;
  reason: string;
  since: string;
  token: string;
}

export class LockHeldError extends FailedError {
  constructor(
    readonly holderInfo: LockHolder | undefined,
    where: string,
  ) {
    super(
      holderInfo
        ? `deploy lock on ${where} is held by ${holderInfo.holder} since ${holderInfo.since} (${holderInfo.reason}); ` +
            'wait with --wait / lock-wait, or release it with `erp-deploy lock <env> release` if that run is gone'
        : `deploy lock on ${where} is held (no holder recorded); release it with \`erp-deploy lock <env> release\``,
    );
    this.name = 'LockHeldError';
  }
}

/** Who is deploying: the GitHub actor and run when on a runner, else user@host. */
export function whoAmI(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_ACTOR) {
    const run = env.GITHUB_RUN_ID
      ? ` (run ${env.GITHUB_RUN_ID}${env.GITHUB_JOB ? `/${env.GITHUB_JOB}` : ''})`
      : '';
    return `${env.GITHUB_ACTOR}${run}`;
  }
  return `${userInfo().username}@${hostname()}`;
}

const holderFile = (paths: StatePaths) => posix.join(paths.lock, 'holder.json');

export async function lockStatus(target: Target, paths: StatePaths): Promise<LockHolder | undefined> {
  const exists = (await target.list(paths.root)).includes('lock');
  if (!exists) return undefined;
  const text = await target.readFile(holderFile(paths));
  if (!text) return { holder: 'unknown', reason: 'holder not recorded (yet)', since: 'unknown', token: '' };
  return JSON.parse(text) as LockHolder;
}

export interface AcquireOptions {
  reason: string;
  who?: string;
  /** Wait for a held lock at most this long, polling every pollMs; 0 fails at once. */
  waitMs?: number;
  pollMs?: number;
  logger?: Logger;
}

export async function acquireLock(
  target: Target,
  paths: StatePaths,
  opts: AcquireOptions,
): Promise<LockHolder> {
  await ensureState(target, paths);
  const me: LockHolder = {
    holder: opts.who ?? whoAmI(),
    reason: opts.reason,
    since: '',
    token: randomBytes(8).toString('hex'),
  };
  const deadline = Date.now() + (opts.waitMs ?? 0);
  const poll = opts.pollMs ?? 2000;
  let announced = false;
  for (;;) {
    if (await target.makeDir(paths.lock, { mode: 0o700, exclusive: true })) {
      me.since = new Date().toISOString();
      await target.writeFile(holderFile(paths), JSON.stringify(me) + '\n', 0o600);
      await audit(target, paths, { who: me.holder, action: 'lock', detail: me.reason });
      return me;
    }
    const held = await lockStatus(target, paths);
    if (Date.now() + poll > deadline) throw new LockHeldError(held, target.description);
    if (!announced) {
      opts.logger?.info(
        `waiting up to ${formatDuration(deadline - Date.now())} for the deploy lock held by ${held?.holder} since ${held?.since}`,
      );
      announced = true;
    }
    await new Promise((r) => setTimeout(r, poll));
  }
}

/**
 * Release the lock. With a token, only when this token holds it (a post step must never free another run's
 * lock); without one, unconditionally (the operator's `lock release`). Returns whether it released one.
 */
export async function releaseLock(
  target: Target,
  paths: StatePaths,
  opts: { token?: string; who?: string } = {},
): Promise<boolean> {
  const held = await lockStatus(target, paths);
  if (!held) return false;
  if (opts.token && held.token !== opts.token) return false;
  await target.remove(paths.lock);
  await audit(target, paths, {
    who: opts.who ?? whoAmI(),
    action: 'unlock',
    detail: opts.token ? 'released by its holder' : `forced release of the lock held by ${held.holder}`,
  });
  return true;
}
