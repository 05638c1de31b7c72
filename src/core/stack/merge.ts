/**
 * Compose's merge rules for overlays (compose-spec "merge"): mappings merge key by key; command, entrypoint
 * and healthcheck.test are replaced; ports, expose, volumes, secrets, configs and devices merge by their
 * target; environment, labels, extra_hosts, sysctls, depends_on, networks (list or map) merge as maps;
 * dns, env_file, cap_add, profiles and other lists append without duplicates; scalars are replaced.
 */
export type Mapping = Record<string, unknown>;

export function isMapping(v: unknown): v is Mapping {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

const REPLACED = new Set(['command', 'entrypoint']);
const MAP_OR_LIST = new Set([
  'environment',
  'labels',
  'extra_hosts',
  'sysctls',
  'depends_on',
  'networks',
  'annotations',
]);

/** `A=1` / `A` list items (or `host:ip` for extra_hosts) to a mapping; a mapping is returned unchanged. */
export function toMapping(v: unknown, sep = '='): Mapping {
  if (isMapping(v)) return v;
  if (!Array.isArray(v)) return {};
  const out: Mapping = {};
  for (const item of v) {
    const s = String(item);
    const i = s.indexOf(sep);
    out[i < 0 ? s : s.slice(0, i)] = i < 0 ? null : s.slice(i + 1);
  }
  return out;
}

/** The container-side key of a port, volume, secret, config, device or expose entry. */
export function targetOf(key: string, item: unknown): string {
  if (isMapping(item)) {
    if (key === 'ports') return `${item.target}/${item.protocol ?? 'tcp'}`;
    if (key === 'secrets' || key === 'configs') return String(item.target ?? item.source);
    return String(item.target ?? JSON.stringify(item));
  }
  const s = String(item);
  if (key === 'ports') {
    const [spec, proto = 'tcp'] = s.split('/');
    return `${spec.split(':').pop()}/${proto}`;
  }
  if (key === 'volumes' || key === 'devices') {
    const parts = s.split(':');
    return parts.length === 1 ? parts[0] : parts[1];
  }
  return s;
}

function mergeByTarget(key: string, base: unknown[], over: unknown[]): unknown[] {
  const out = new Map<string, unknown>();
  for (const item of [...base, ...over]) out.set(targetOf(key, item), item);
  return [...out.values()];
}

function appendUnique(base: unknown[], over: unknown[]): unknown[] {
  const seen = new Set(base.map((v) => JSON.stringify(v)));
  return [...base, ...over.filter((v) => !seen.has(JSON.stringify(v)))];
}

function mergeMapOrList(key: string, base: unknown, over: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(over) && (key === 'depends_on' || key === 'networks')) {
    return appendUnique(base, over);
  }
  const sep = key === 'extra_hosts' ? ':' : '=';
  if (key === 'depends_on' || key === 'networks') {
    const asMap = (v: unknown): Mapping =>
      Array.isArray(v)
        ? Object.fromEntries(
            v.map((n) => [String(n), key === 'depends_on' ? { condition: 'service_started' } : null]),
          )
        : (v as Mapping);
    return deepMerge(asMap(base), asMap(over));
  }
  return { ...toMapping(base, sep), ...toMapping(over, sep) };
}

/** Merge an overlay's value over the base value of the same key. */
export function mergeValue(key: string, base: unknown, over: unknown): unknown {
  if (base === undefined) return over;
  if (over === undefined) return base;
  if (REPLACED.has(key)) return over;
  if (MAP_OR_LIST.has(key) && (isMapping(base) || Array.isArray(base)))
    return mergeMapOrList(key, base, over);
  if (key === 'build') return mergeBuild(base, over);
  if (key === 'healthcheck' && isMapping(base) && isMapping(over)) return { ...base, ...over };
  if (Array.isArray(base) && Array.isArray(over)) {
    return ['ports', 'expose', 'volumes', 'secrets', 'configs', 'devices'].includes(key)
      ? mergeByTarget(key, base, over)
      : appendUnique(base, over);
  }
  if (isMapping(base) && isMapping(over)) return deepMerge(base, over);
  return over;
}

function mergeBuild(base: unknown, over: unknown): unknown {
  const b = typeof base === 'string' ? { context: base } : (base as Mapping);
  const o = typeof over === 'string' ? { context: over } : (over as Mapping);
  const merged: Mapping = { ...b, ...o };
  if (b.args !== undefined || o.args !== undefined)
    merged.args = { ...toMapping(b.args), ...toMapping(o.args) };
  return merged;
}

export function deepMerge(base: Mapping, over: Mapping): Mapping {
  const out: Mapping = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeValue(k, base[k], v);
  return out;
}

/** Merge two whole compose documents: services service by service, the other top-level keys as mappings. */
export function mergeDocuments(base: Mapping, over: Mapping): Mapping {
  const out = deepMerge({ ...base, services: {} }, { ...over, services: {} });
  const services: Mapping = { ...((base.services as Mapping) ?? {}) };
  for (const [name, svc] of Object.entries((over.services as Mapping) ?? {})) {
    const prev = services[name];
    services[name] = isMapping(prev) && isMapping(svc) ? deepMerge(prev, svc) : (svc ?? prev);
  }
  out.services = services;
  return out;
}
