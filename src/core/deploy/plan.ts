/**
 * The plan: per service, what runs now → what the document asks for, and whether it must be restarted.
 * A service is restarted only when its image or its own definition (the config-hash label) changed, or when it
 * is not running; data services (those with named volumes) are flagged so the plan shows their data is kept.
 */
import { HASH_LABEL, isMapping, type Mapping } from './compose-doc.js';
import type { Health, RunningService } from './driver.js';
import { namedVolumes } from './swarm-doc.js';
import { byCodePoint } from '../compare.js';

export type ServiceAction = 'create' | 'update' | 'start' | 'unchanged';

export interface ServicePlan {
  service: string;
  action: ServiceAction;
  reason: string;
  currentRef?: string;
  currentImageId?: string;
  nextRef: string;
  nextImageId: string;
  health?: Health;
  /** Mounts named volumes (Redis, Prometheus, …): restarted only when it changed; volumes always kept. */
  data: boolean;
}

export interface DeployPlan {
  environment: string;
  project: string;
  driver: string;
  target: string;
  services: ServicePlan[];
  /** Services to restart, grouped in dependency order (each level after the one it depends on). */
  levels: string[][];
  changed: string[];
}

const DATA_NAMES = /redis|prometheus|grafana|alertmanager|postgres|mysql|mongo/;

export function dependsOnOf(svc: Mapping): string[] {
  const d = svc.depends_on;
  if (Array.isArray(d)) return d.map(String);
  if (isMapping(d)) return Object.keys(d);
  return [];
}

export function labelOf(svc: Mapping, key: string): string {
  const l = svc.labels;
  if (isMapping(l)) return String(l[key] ?? '');
  if (Array.isArray(l)) {
    const hit = l.map(String).find((x) => x.startsWith(`${key}=`));
    return hit ? hit.slice(key.length + 1) : '';
  }
  return '';
}

/** Dependency depth of each service (0: depends on nothing); the document's depends_on is acyclic. */
export function depthOf(services: Record<string, Mapping>): Record<string, number> {
  const depth: Record<string, number> = {};
  const visit = (n: string, seen: string[]): number => {
    if (depth[n] !== undefined) return depth[n];
    if (seen.includes(n)) return 0;
    const deps = dependsOnOf(services[n] ?? {}).filter((d) => services[d]);
    depth[n] = deps.length ? 1 + Math.max(...deps.map((d) => visit(d, [...seen, n]))) : 0;
    return depth[n];
  };
  Object.keys(services).forEach((n) => visit(n, []));
  return depth;
}

function decide(svc: Mapping, cur: RunningService | undefined, nextImageId: string): [ServiceAction, string] {
  if (!cur) return ['create', 'not deployed yet'];
  if (cur.replicas.running === 0) return ['start', `not running (${cur.health})`];
  const ref = String(svc.image ?? '');
  if (nextImageId && cur.imageIds.some((id) => id !== nextImageId)) return ['update', 'new image'];
  // A retag (same image id under a new reference) is no change; an unknown id falls back to the reference.
  const sameId = Boolean(nextImageId) && cur.imageIds.length > 0;
  if (cur.ref !== ref && !sameId) return ['update', `image reference ${cur.ref} → ${ref}`];
  if (cur.configHash !== labelOf(svc, HASH_LABEL)) return ['update', 'definition changed'];
  return cur.ref === ref
    ? ['unchanged', 'same image and definition']
    : ['unchanged', `same image id (retagged ${cur.ref} → ${ref})`];
}

export function computePlan(
  meta: Omit<DeployPlan, 'services' | 'levels' | 'changed'>,
  document: Mapping,
  current: Record<string, RunningService>,
  nextImageIds: Record<string, string>,
): DeployPlan {
  const services = (isMapping(document.services) ? document.services : {}) as Record<string, Mapping>;
  const depth = depthOf(services);
  const names = Object.keys(services).sort((a, b) => depth[a] - depth[b] || byCodePoint(a, b));
  const plans: ServicePlan[] = names.map((name) => {
    const svc = services[name];
    const cur = current[name];
    const [action, reason] = decide(svc, cur, nextImageIds[name] ?? '');
    return {
      service: name,
      action,
      reason,
      currentRef: cur?.ref,
      currentImageId: cur?.imageIds[0],
      nextRef: String(svc.image ?? ''),
      nextImageId: nextImageIds[name] ?? '',
      health: cur?.health,
      data: namedVolumes(svc).length > 0 || DATA_NAMES.test(name),
    };
  });
  const changed = plans.filter((p) => p.action !== 'unchanged').map((p) => p.service);
  const levels: string[][] = [];
  for (const name of changed) (levels[depth[name]] ??= []).push(name);
  return { ...meta, services: plans, levels: levels.filter((l) => l?.length), changed };
}

/**
 * The document with every kept service pointed at the image reference it runs now. Drivers that deploy the whole
 * document (Swarm's `docker stack deploy` updates any service whose image string differs) need it so a retagged
 * service is left alone; the image id is the same, so what runs does not change.
 */
export function pinKeptRefs(document: Mapping, plan: DeployPlan): Mapping {
  const services = (isMapping(document.services) ? document.services : {}) as Record<string, Mapping>;
  const pinned = plan.services.filter(
    (p) => p.action === 'unchanged' && p.currentRef && p.currentRef !== p.nextRef && services[p.service],
  );
  if (!pinned.length) return document;
  const out = { ...services };
  for (const p of pinned) out[p.service] = { ...services[p.service], image: p.currentRef };
  return { ...document, services: out };
}

const short = (id?: string) => (id ? id.replace(/^sha256:/, '').slice(0, 12) : '—');

export function planMarkdown(plan: DeployPlan, title = 'Deploy plan'): string {
  const rows = plan.services.map(
    (p) =>
      `| ${p.service}${p.data ? ' (data)' : ''} | ${p.currentRef ?? '—'} \`${short(p.currentImageId)}\` | ${p.nextRef} \`${short(p.nextImageId)}\` | ${p.action === 'unchanged' ? 'keep' : `**${p.action}**`} | ${p.reason} |`,
  );
  const summary = plan.changed.length
    ? `${plan.changed.length} service(s) will restart: ${plan.levels.map((l) => l.join(', ')).join(' → ')}.`
    : 'Nothing changes: every service already runs these images and definitions.';
  return [
    `### ${title}: ${plan.environment} (${plan.driver} on ${plan.target}, project ${plan.project})`,
    '',
    '| service | now | next | action | why |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    summary,
    plan.services.some((p) => p.data)
      ? 'Data services keep their named volumes; they restart only when their own image or definition changes.'
      : '',
  ].join('\n');
}
