/**
 * A prepared compose document made into a Swarm stack file (format 3.8, what `docker stack deploy` of engine
 * 20.10 validates): keys Swarm ignores or rejects are dropped, ports become ingress ports, and each service gets
 * rolling-update settings — start-first for stateless services (a new task is healthy before the old one
 * stops, so the API never refuses a request), stop-first for services that mount named volumes (two Redis
 * processes must never share one data directory), automatic rollback on failure in both.
 * Swarm secrets are immutable, so each secret's name carries a hash of its value.
 *
 * Routing: "ingress" (Swarm's routing mesh; needs IPVS in the kernel) publishes ports on the mesh; "edge"
 * (hosts without IPVS) runs every service with endpoint_mode dnsrr and puts a `<service>-edge` proxy on each
 * published port (see edge-proxy.ts).
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Logger } from '../log.js';
import { isMapping, type Mapping } from './compose-doc.js';
import type { PrepareContext } from './driver.js';
import { EDGE_SCRIPT } from './edge-proxy.js';

const SERVICE_KEYS = new Set(
  (
    'cap_add cap_drop cgroup_parent command configs credential_spec deploy devices dns dns_search domainname ' +
    'entrypoint env_file environment expose extra_hosts healthcheck hostname image init ipc isolation labels ' +
    'logging mac_address networks pid ports privileged read_only secrets security_opt shm_size stdin_open ' +
    'stop_grace_period stop_signal sysctls tmpfs tty ulimits user userns_mode volumes working_dir'
  ).split(' '),
);
const HEALTH_KEYS = new Set(['disable', 'interval', 'retries', 'test', 'timeout', 'start_period']);
const TOP_KEYS = new Set(['version', 'services', 'networks', 'volumes', 'secrets', 'configs']);

/** Named volumes a service mounts (bind mounts and tmpfs do not count). */
export function namedVolumes(svc: Mapping): string[] {
  const vols = Array.isArray(svc.volumes) ? svc.volumes : [];
  return vols
    .map((v) =>
      typeof v === 'string'
        ? v.split(':')[0]
        : isMapping(v) && v.type === 'volume'
          ? String(v.source ?? '')
          : '',
    )
    .filter((s) => s && !s.startsWith('/') && !s.startsWith('.') && !s.startsWith('~'));
}

function swarmPorts(ports: unknown[]): Mapping[] {
  return ports.map((p) => {
    if (isMapping(p)) {
      const { host_ip: _hostIp, ...rest } = p;
      return {
        mode: 'ingress',
        protocol: 'tcp',
        ...rest,
        published: Number(rest.published),
        target: Number(rest.target),
      };
    }
    const [spec, protocol = 'tcp'] = String(p).split('/');
    const parts = spec.split(':');
    const target = Number(parts[parts.length - 1]);
    const published = parts.length >= 2 ? Number(parts[parts.length - 2]) : undefined;
    return { target, ...(published ? { published } : {}), protocol, mode: 'ingress' };
  });
}

export const edgeScriptHash = (): string =>
  createHash('sha256').update(EDGE_SCRIPT).digest('hex').slice(0, 12);
/**
 * The edge script's file under the state root: one per script version, never overwritten. Swarm configs are
 * immutable and named by that hash, so a release rendered by another erp-deploy version (a rollback across an
 * upgrade) must find exactly the content its config name promises.
 */
export const edgeScriptFile = (hash = edgeScriptHash()): string => `edge-proxy-${hash}.py`;

/** The companion proxy that holds a service's published ports when there is no routing mesh. */
function edgeService(name: string, svc: Mapping, ports: Mapping[], image: string): Mapping {
  return {
    image,
    command: ['python3', '-u', '/edge/proxy.py'],
    environment: { EDGE_ROUTES: ports.map((p) => `${p.target}=tasks.${name}:${p.target}`).join(',') },
    configs: [{ source: 'erp_edge_proxy', target: '/edge/proxy.py', mode: 0o444 }],
    ports: ports.map((p) => ({ ...p, mode: 'host' })),
    ...(svc.networks !== undefined ? { networks: svc.networks } : {}),
    deploy: {
      endpoint_mode: 'dnsrr',
      update_config: { order: 'stop-first', failure_action: 'rollback' },
      restart_policy: { condition: 'any', delay: '1s' },
    },
  };
}

function swarmService(name: string, svc: Mapping, logger: Logger): Mapping {
  const out: Mapping = {};
  const dropped: string[] = [];
  for (const [k, v] of Object.entries(svc)) {
    if (SERVICE_KEYS.has(k)) out[k] = v;
    else if (!['build', 'depends_on', 'container_name', 'restart', 'profiles', 'pull_policy'].includes(k))
      dropped.push(k);
  }
  if (dropped.length)
    logger.warn(`swarm: ${name}: ignoring keys Swarm does not support: ${dropped.join(', ')}`);
  if (isMapping(out.healthcheck)) {
    out.healthcheck = Object.fromEntries(Object.entries(out.healthcheck).filter(([k]) => HEALTH_KEYS.has(k)));
  }
  if (Array.isArray(out.ports)) out.ports = swarmPorts(out.ports);
  const stateful = namedVolumes(svc).length > 0;
  const order = stateful ? 'stop-first' : 'start-first';
  const deploy: Mapping = isMapping(out.deploy) ? { ...out.deploy } : {};
  deploy.update_config = {
    parallelism: 1,
    order,
    failure_action: 'rollback',
    monitor: '5s',
    max_failure_ratio: 0,
    ...(isMapping(deploy.update_config) ? deploy.update_config : {}),
  };
  deploy.rollback_config = {
    parallelism: 1,
    order,
    ...(isMapping(deploy.rollback_config) ? deploy.rollback_config : {}),
  };
  deploy.restart_policy ??= { condition: 'any', delay: '2s' };
  out.deploy = deploy;
  return out;
}

export function toSwarmDocument(document: Mapping, ctx: PrepareContext): Mapping {
  const edge = ctx.facts.routing === 'edge';
  const edgeImage = ctx.vars.ERP_EDGE_IMAGE || ctx.vars.PYTHON_IMAGE || 'python:3.11-slim-bookworm';
  const services: Mapping = {};
  for (const [name, svc] of Object.entries(isMapping(document.services) ? document.services : {})) {
    const out = swarmService(name, svc as Mapping, ctx.logger);
    if (edge) {
      (out.deploy as Mapping).endpoint_mode = 'dnsrr';
      if (Array.isArray(out.ports) && out.ports.length) {
        services[`${name}-edge`] = edgeService(name, out, out.ports as Mapping[], edgeImage);
        delete out.ports;
      }
    }
    services[name] = out;
  }
  const out: Mapping = { version: '3.8', services };
  for (const [k, v] of Object.entries(document)) {
    if (k === 'services' || k === 'version') continue;
    if (TOP_KEYS.has(k) || k.startsWith('x-')) out[k] = v;
  }
  if (isMapping(out.networks)) {
    out.networks = Object.fromEntries(
      Object.entries(out.networks).map(([n, v]) => {
        const { driver, ...rest } = isMapping(v) ? v : ({} as Mapping);
        return [n, { ...rest, ...(driver && driver !== 'bridge' ? { driver } : { driver: 'overlay' }) }];
      }),
    );
  }
  if (isMapping(out.secrets)) {
    out.secrets = Object.fromEntries(
      Object.entries(out.secrets).map(([n, v]) => {
        const ours = ctx.secrets.find((s) => s.name === n);
        return [n, ours ? { ...(v as Mapping), name: `${ctx.project}_${n}_${ours.hash}` } : v];
      }),
    );
  }
  if (edge) {
    out.configs = {
      ...(isMapping(out.configs) ? out.configs : {}),
      erp_edge_proxy: {
        file: posix.join(ctx.stateRoot, edgeScriptFile()),
        name: `${ctx.project}_edge_${edgeScriptHash()}`,
      },
    };
  }
  return out;
}
