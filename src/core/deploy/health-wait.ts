/**
 * Wait until every listed service runs the expected image and is healthy (or running, without a healthcheck),
 * then watch a short settle window for a crash right after. Fails fast on a crash, a restart or an unhealthy
 * report, with the container's last log lines; fails at the deadline saying what state each service was in.
 */
import { formatDuration } from '../duration.js';
import type { Logger } from '../log.js';
import { healthOf, lastLogLines, RolloutError, sleep, type ContainerInfo } from './engine.js';
import type { Target } from './target.js';

export interface HealthWaitOptions {
  target: Target;
  services: string[];
  /** Containers of one service, newest first. */
  list: (service: string) => Promise<ContainerInfo[]>;
  expectImageIds: Record<string, string>;
  timeoutMs: number;
  settleMs?: number;
  pollMs?: number;
  logger: Logger;
}

async function judge(
  o: HealthWaitOptions,
  service: string,
  since: number,
): Promise<'ok' | 'wait' | { failed: string }> {
  const all = await o.list(service);
  const want = o.expectImageIds[service];
  const mine = all.filter((c) => !want || c.image === want);
  const c = mine[0];
  if (!c) return 'wait';
  const logs = async () => ` — last log lines: ${await lastLogLines(o.target, c.id)}`;
  if (c.restartCount > 0 || c.restarting || c.status === 'exited' || c.status === 'dead') {
    return {
      failed: `${service} crashed (exit code ${c.exitCode}, restarted ${c.restartCount}×)${await logs()}`,
    };
  }
  const h = healthOf(c);
  if (h === 'unhealthy') return { failed: `${service} reports unhealthy${await logs()}` };
  if (h === 'healthy') return 'ok';
  if (h === 'running' && Date.now() - Math.max(Date.parse(c.startedAt) || 0, since) >= 2000) return 'ok';
  return 'wait';
}

export async function waitHealthy(o: HealthWaitOptions): Promise<void> {
  const started = Date.now();
  const deadline = started + o.timeoutMs;
  const poll = o.pollMs ?? 500;
  const pending = new Set(o.services);
  let okSince = 0;
  for (;;) {
    const states: string[] = [];
    for (const s of o.services) {
      const v = await judge(o, s, started);
      if (typeof v === 'object') throw new RolloutError(v.failed, s);
      if (v === 'ok' && pending.delete(s))
        o.logger.info(`${s}: healthy after ${formatDuration(Date.now() - started)}`);
      if (v === 'wait') {
        pending.add(s);
        states.push(s);
      }
    }
    if (!pending.size) {
      okSince ||= Date.now();
      if (Date.now() - okSince >= (o.settleMs ?? 3000)) return;
    } else okSince = 0;
    if (Date.now() > deadline) {
      throw new RolloutError(
        `${states.join(', ')} not healthy within ${formatDuration(o.timeoutMs)}`,
        states[0],
      );
    }
    await sleep(poll);
  }
}
