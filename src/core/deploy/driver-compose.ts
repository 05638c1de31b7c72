/**
 * The Compose driver: `docker compose` (v2) or `docker-compose` (v1), whichever the target has. Changed
 * services are recreated level by level in dependency order with `up -d --no-deps --force-recreate`, each
 * level waiting for health before the next. Unchanged services — Redis and Prometheus with their volumes —
 * are never touched.
 *
 * What Compose cannot guarantee: it stops the old container before the new one starts (one container per
 * service name and published port), so a recreated API refuses requests for the seconds between the two.
 * Use the Swarm driver (start-first rolling updates) where that gap matters.
 */
import { InputError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Mapping } from './compose-doc.js';
import { HASH_LABEL } from './compose-doc.js';
import type { ApplyRequest, ApplyResult, Driver, RunningService } from './driver.js';
import { containers, docker, healthOf, RolloutError } from './engine.js';
import { waitHealthy } from './health-wait.js';
import type { Target } from './target.js';
import { byCodePoint } from '../compare.js';

const composeCmd = new WeakMap<Target, { cmd: string; pre: string[]; version: string }>();

/** The compose the target has: v2 plugin first, then v1; a clear error when neither. */
export async function detectCompose(
  target: Target,
): Promise<{ cmd: string; pre: string[]; version: string }> {
  const known = composeCmd.get(target);
  if (known) return known;
  const d = await target.docker();
  for (const [cmd, pre] of [
    [d, ['compose']],
    ['docker-compose', []],
  ] as [string, string[]][]) {
    const r = await target
      .exec(cmd, [...pre, 'version', '--short'], { ignoreReturnCode: true, timeoutMs: 20_000 })
      .catch(() => undefined);
    if (r?.code === 0 && /^v?\d/.test(r.stdout.trim())) {
      const found = { cmd, pre, version: r.stdout.trim() };
      composeCmd.set(target, found);
      return found;
    }
  }
  throw new InputError(
    `neither \`docker compose\` (v2) nor \`docker-compose\` (v1) runs on ${target.description}`,
    undefined,
    'driver',
  );
}

async function compose(target: Target, project: string, file: string, args: string[], timeoutMs = 600_000) {
  const c = await detectCompose(target);
  return target.exec(c.cmd, [...c.pre, '-p', project, '-f', file, ...args], { timeoutMs });
}

const projectFilter = (project: string) => `label=com.docker.compose.project=${project}`;

async function serviceContainers(target: Target, project: string, service?: string) {
  const filters = [
    projectFilter(project),
    ...(service ? [`label=com.docker.compose.service=${service}`] : []),
  ];
  const list = (await containers(target, filters)).filter(
    (c) => c.labels['com.docker.compose.oneoff'] !== 'True',
  );
  return list.sort((a, b) => byCodePoint(b.startedAt, a.startedAt));
}

export const composeDriver: Driver = {
  name: 'compose',
  caveat:
    'Compose driver: a recreated service is stopped before its replacement starts, so the API refuses requests ' +
    'for a few seconds while it is recreated (use the swarm driver for zero-downtime updates).',

  prepare(document: Mapping): Mapping {
    return document;
  },

  async check(target: Target, logger: Logger): Promise<Record<string, string>> {
    const c = await detectCompose(target);
    logger.info(
      `compose: ${c.pre.length ? 'docker compose' : 'docker-compose'} ${c.version} on ${target.description}`,
    );
    return { compose: c.version };
  },

  async validate(target: Target, project: string, file: string): Promise<void> {
    const r = await compose(target, project, file, ['config', '-q'], 60_000).catch((e: Error) => e);
    if (r instanceof Error) throw new InputError(`compose file does not validate: ${r.message}`, file);
  },

  async current(target: Target, project: string): Promise<Record<string, RunningService>> {
    const out: Record<string, RunningService> = {};
    for (const c of await serviceContainers(target, project)) {
      const service = c.labels['com.docker.compose.service'];
      const s = (out[service] ??= {
        service,
        ref: c.ref,
        imageIds: [],
        configHash: c.labels[HASH_LABEL] ?? '',
        health: healthOf(c),
        replicas: { running: 0, desired: 1 },
      });
      if (!s.imageIds.includes(c.image)) s.imageIds.push(c.image);
      if (c.running) s.replicas.running++;
    }
    return out;
  },

  async apply(req: ApplyRequest): Promise<ApplyResult> {
    for (const level of req.levels) {
      req.logger.info(`compose: recreating ${level.join(', ')}`);
      try {
        await compose(req.target, req.project, req.composeFile, [
          'up',
          '-d',
          '--no-deps',
          '--force-recreate',
          ...level,
        ]);
        await waitHealthy({
          target: req.target,
          services: level,
          list: (s) => serviceContainers(req.target, req.project, s),
          expectImageIds: req.expectImageIds,
          timeoutMs: req.timeoutMs,
          logger: req.logger,
        });
      } catch (e) {
        const err = e as Error;
        return {
          ok: false,
          message: err.message,
          failedService: err instanceof RolloutError ? err.service : level[0],
        };
      }
    }
    return { ok: true };
  },

  async remove(target: Target, project: string, opts: { volumes?: boolean } = {}): Promise<void> {
    const ids = (await serviceContainers(target, project)).map((c) => c.id);
    if (ids.length) await docker(target, ['rm', '-f', ...ids]);
    const nets = (await docker(target, ['network', 'ls', '-q', '--filter', projectFilter(project)])).stdout
      .split('\n')
      .filter(Boolean);
    if (nets.length)
      await target.exec(await target.docker(), ['network', 'rm', ...nets], { ignoreReturnCode: true });
    if (opts.volumes) {
      const vols = (await docker(target, ['volume', 'ls', '-q', '--filter', projectFilter(project)])).stdout
        .split('\n')
        .filter(Boolean);
      if (vols.length)
        await target.exec(await target.docker(), ['volume', 'rm', ...vols], { ignoreReturnCode: true });
    }
  },
};
