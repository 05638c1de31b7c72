/**
 * The Swarm driver: `docker stack deploy` of the rendered stack file. Stateless services roll start-first, so a
 * new API task is healthy before the old one stops and no request fails; Swarm rolls a failing update back by
 * itself. `docker stack deploy` returns before the update ends (and `--detach=false` exits 0 even after an
 * automatic rollback), so the driver watches each changed service's UpdateStatus and its tasks' health.
 * Swarm's ingress publishes ports on every interface of the node (it cannot bind 127.0.0.1 alone).
 */
import { InputError } from '../errors.js';
import type { Logger } from '../log.js';
import { HASH_LABEL, type Mapping } from './compose-doc.js';
import { detectCompose } from './driver-compose.js';
import { labelOf } from './plan.js';
import type { ApplyRequest, ApplyResult, Driver, RunningService } from './driver.js';
import { containers, docker, healthOf, RolloutError, sleep } from './engine.js';
import { waitHealthy } from './health-wait.js';
import { EDGE_SCRIPT } from './edge-proxy.js';
import { edgeScriptFile, toSwarmDocument } from './swarm-doc.js';
import { posix } from 'node:path';
import type { Target } from './target.js';
import { byCodePoint } from '../compare.js';

interface UpdateStatus {
  State?: string;
  StartedAt?: string;
  CompletedAt?: string;
  Message?: string;
}
interface RawService {
  ID: string;
  Spec: {
    Name: string;
    Labels?: Record<string, string>;
    Mode?: { Replicated?: { Replicas?: number } };
    TaskTemplate: { ContainerSpec: { Image: string; Labels?: Record<string, string> } };
  };
  UpdateStatus?: UpdateStatus;
}

const stackFilter = (project: string) => `label=com.docker.stack.namespace=${project}`;

async function services(target: Target, project: string): Promise<RawService[]> {
  const ids = (await docker(target, ['service', 'ls', '-q', '--filter', stackFilter(project)])).stdout
    .split('\n')
    .filter(Boolean);
  if (!ids.length) return [];
  const r = await target.exec(await target.docker(), ['service', 'inspect', ...ids], {
    ignoreReturnCode: true,
  });
  return r.stdout.trim().startsWith('[') ? (JSON.parse(r.stdout) as RawService[]) : [];
}

const shortName = (project: string, full: string) => full.slice(project.length + 1);

async function runningTasks(target: Target, project: string, service: string) {
  const list = await containers(target, [`label=com.docker.swarm.service.name=${project}_${service}`], false);
  return list.sort((a, b) => byCodePoint(b.startedAt, a.startedAt));
}

/**
 * Write this version's edge script when the stack file uses it and it is not there yet. Files of other versions
 * (what older releases' stack files name) are left as they are, so their configs keep their content.
 */
export async function ensureEdgeScript(target: Target, stateRoot: string, document: Mapping): Promise<void> {
  const file = posix.join(stateRoot, edgeScriptFile());
  if (!JSON.stringify(document.configs ?? {}).includes(file)) return;
  if ((await target.readFile(file)) === undefined) await target.writeFile(file, EDGE_SCRIPT, 0o644);
}

const FAILED_STATES = ['paused', 'rollback_started', 'rollback_paused', 'rollback_completed'];
const MOVING_STATES = ['updating', 'rollback_started'];

/** The service already runs the definition the rendered document wants (same config-hash label). */
function atWanted(req: ApplyRequest, name: string, s: RawService): boolean {
  const svc = (req.document.services as Record<string, Mapping> | undefined)?.[name];
  const wanted = svc ? labelOf(svc, HASH_LABEL) : '';
  return !!wanted && s.Spec.TaskTemplate.ContainerSpec.Labels?.[HASH_LABEL] === wanted;
}

async function waitUpdates(req: ApplyRequest, before: Record<string, string>): Promise<void> {
  const changed = req.levels.flat();
  const deadline = Date.now() + req.timeoutMs;
  const done = new Set<string>();
  for (;;) {
    const now = await services(req.target, req.project);
    for (const name of changed) {
      if (done.has(name)) continue;
      const s = now.find((x) => shortName(req.project, x.Spec.Name) === name);
      if (!s) continue;
      const u = s.UpdateStatus;
      const fresh = u?.StartedAt && u.StartedAt !== before[name];
      if (fresh && FAILED_STATES.includes(u.State ?? '')) {
        throw new RolloutError(
          `${name}: Swarm ${u.State === 'paused' ? 'paused' : 'rolled back'} the update: ${u.Message ?? u.State}`,
          name,
        );
      }
      if (fresh && u.State === 'completed') {
        req.logger.info(`swarm: ${name}: update completed (${u.Message ?? ''})`);
        done.add(name);
      } else if (!fresh && before[name] === undefined) {
        done.add(name); // a new service: no update status ever; its tasks' health decides below
      } else if (!fresh && atWanted(req, name, s) && !MOVING_STATES.includes(u?.State ?? '')) {
        // Already at this spec, so `stack deploy` started no update: e.g. Swarm's own rollback of a failed
        // release restored exactly what a rollback deploys. Once that settles, its tasks' health decides below.
        req.logger.info(`swarm: ${name}: already at this definition (${u?.State ?? 'no update status'})`);
        done.add(name);
      }
    }
    if (done.size === changed.length) return;
    if (Date.now() > deadline) {
      const waiting = changed.filter((n) => !done.has(n));
      throw new RolloutError(`swarm: ${waiting.join(', ')} still updating at the deadline`, waiting[0]);
    }
    await sleep(500);
  }
}

/**
 * Swarm's routing mesh and virtual IPs need IPVS in the host kernel; without it (some VMs and sandboxes)
 * published ports never answer, so the driver uses the edge proxy instead. ERP_SWARM_ROUTING=ingress|edge forces it.
 */
async function routingOf(
  target: Target,
  vars: Record<string, string | undefined>,
  logger: Logger,
): Promise<string> {
  const forced = vars.ERP_SWARM_ROUTING;
  if (forced === 'ingress' || forced === 'edge') return forced;
  const ipvs = await target.exec('test', ['-d', '/proc/sys/net/ipv4/vs'], { ignoreReturnCode: true });
  const routing = ipvs.code === 0 ? 'ingress' : 'edge';
  if (routing === 'edge') {
    logger.info(
      `swarm: no IPVS on ${target.description} (no routing mesh): published ports go through <service>-edge proxies`,
    );
  }
  return routing;
}

export const swarmDriver: Driver = {
  name: 'swarm',
  deploysWholeDocument: true,

  prepare(document, ctx) {
    return toSwarmDocument(document, ctx);
  },

  async check(target, logger, opts): Promise<Record<string, string>> {
    const state = (await docker(target, ['info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim();
    if (state === 'active' || (state === 'inactive' && opts.initSwarm)) {
      if (state === 'inactive') {
        logger.info(
          `swarm: ${target.description} is not in a swarm: docker swarm init --advertise-addr 127.0.0.1`,
        );
        await docker(target, ['swarm', 'init', '--advertise-addr', '127.0.0.1']);
      }
      return { routing: await routingOf(target, opts.vars, logger) };
    }
    throw new InputError(
      `the engine on ${target.description} is not an active Swarm node (state: ${state || 'unknown'}); ` +
        'run `docker swarm init` there, or let erp-deploy do it (--init-swarm / init-swarm: true)',
      undefined,
      'driver',
    );
  },

  async validate(target: Target, project: string, file: string): Promise<void> {
    // Engine 20.10 has no `docker stack config`; Compose validates the same 3.8 schema when it is there.
    const c = await detectCompose(target).catch(() => undefined);
    if (!c) return;
    const r = await target.exec(c.cmd, [...c.pre, '-p', project, '-f', file, 'config', '-q'], {
      ignoreReturnCode: true,
      timeoutMs: 60_000,
    });
    if (r.code !== 0)
      throw new InputError(`stack file does not validate: ${r.stderr.trim().split('\n').pop()}`, file);
  },

  async current(target: Target, project: string): Promise<Record<string, RunningService>> {
    const out: Record<string, RunningService> = {};
    for (const s of await services(target, project)) {
      const service = shortName(project, s.Spec.Name);
      const tasks = await runningTasks(target, project, service);
      const desired = s.Spec.Mode?.Replicated?.Replicas ?? tasks.length;
      const healths = tasks.map(healthOf);
      out[service] = {
        service,
        ref: s.Spec.TaskTemplate.ContainerSpec.Image,
        imageIds: [...new Set(tasks.map((t) => t.image))],
        configHash: s.Spec.TaskTemplate.ContainerSpec.Labels?.[HASH_LABEL] ?? '',
        health: !tasks.length
          ? 'stopped'
          : healths.every((h) => h === 'healthy' || h === 'running')
            ? healths[0]
            : 'starting',
        replicas: { running: tasks.length, desired },
      };
    }
    return out;
  },

  async apply(req: ApplyRequest): Promise<ApplyResult> {
    const before: Record<string, string> = {};
    for (const s of await services(req.target, req.project)) {
      before[shortName(req.project, s.Spec.Name)] = s.UpdateStatus?.StartedAt ?? '';
    }
    const changed = req.levels.flat();
    try {
      req.logger.info(
        `swarm: docker stack deploy ${req.project} (rolling: ${changed.join(', ') || 'nothing'})`,
      );
      await ensureEdgeScript(req.target, req.stateRoot, req.document);
      await docker(
        req.target,
        ['stack', 'deploy', '--prune', '--resolve-image', 'never', '-c', req.composeFile, req.project],
        300_000,
      );
      const started = Date.now();
      await waitUpdates(req, before);
      await waitHealthy({
        target: req.target,
        services: changed,
        list: (s) => runningTasks(req.target, req.project, s),
        expectImageIds: req.expectImageIds,
        timeoutMs: Math.max(5000, req.timeoutMs - (Date.now() - started)),
        settleMs: 1000,
        logger: req.logger,
      });
      return { ok: true };
    } catch (e) {
      const err = e as Error;
      return {
        ok: false,
        message: err.message,
        failedService: err instanceof RolloutError ? err.service : undefined,
      };
    }
  },

  async remove(target: Target, project: string): Promise<void> {
    await target.exec(await target.docker(), ['stack', 'rm', project], { ignoreReturnCode: true });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const left = await containers(target, [`label=com.docker.stack.namespace=${project}`]);
      const nets = (
        await docker(target, ['network', 'ls', '-q', '--filter', stackFilter(project)])
      ).stdout.trim();
      if (!left.length && !nets) return;
      await sleep(1000);
    }
  },
};
