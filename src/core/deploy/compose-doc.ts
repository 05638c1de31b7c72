/**
 * From the stack's rendered compose file to the exact file a target deploys: paths made absolute, declared
 * secrets pointed at the target's secret files, services a profile hides left out, and every service labelled
 * with a hash of its own definition (its image aside: the plan compares image ids) — the plan compares that label
 * with what runs to restart only what changed.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import type { SecretFile } from './secrets.js';

export type Mapping = Record<string, unknown>;
export const HASH_LABEL = 'org.erp-deploy.config-hash';

export const isMapping = (v: unknown): v is Mapping =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export interface PreparedCompose {
  document: Mapping;
  /** service → hash of its definition (without the label itself). */
  hashes: Record<string, string>;
}

function absolute(p: string, dir: string): string {
  return p.startsWith('.') || (!isAbsolute(p) && p.includes('/')) ? resolve(dir, p) : p;
}

/** Where a project file lives on the target: the same path locally; a shipped copy on a remote host. */
export type Relocate = (localPath: string) => string;

/** A path of the compose file made absolute; a relative one names a project file, which `relocate` may move. */
function projectPath(p: string, dir: string, relocate?: Relocate): string {
  const abs = absolute(p, dir);
  return abs !== p && relocate ? relocate(abs) : abs;
}

function fixVolume(v: unknown, dir: string, relocate?: Relocate): unknown {
  if (typeof v === 'string') {
    const parts = v.split(':');
    if (parts.length >= 2) parts[0] = projectPath(parts[0], dir, relocate);
    return parts.join(':');
  }
  if (isMapping(v) && v.type === 'bind' && typeof v.source === 'string')
    return { ...v, source: projectPath(v.source, dir, relocate) };
  return v;
}

function activeProfiles(vars: Record<string, string | undefined>): string[] {
  return (vars.COMPOSE_PROFILES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function hashService(svc: Mapping): string {
  return createHash('sha256')
    .update(JSON.stringify(svc, Object.keys(flatKeys(svc)).sort()))
    .digest('hex')
    .slice(0, 16);
}

/** Every key at every depth, so JSON.stringify's replacer list gives a canonical (sorted) encoding. */
function flatKeys(v: unknown, acc: Record<string, true> = {}): Record<string, true> {
  if (Array.isArray(v)) v.forEach((x) => flatKeys(x, acc));
  else if (isMapping(v)) {
    for (const [k, x] of Object.entries(v)) {
      acc[k] = true;
      flatKeys(x, acc);
    }
  }
  return acc;
}

function withLabel(svc: Mapping, hash: string): Mapping {
  const labels = svc.labels;
  const out: Mapping = Array.isArray(labels)
    ? Object.fromEntries(labels.map((l) => String(l).split(/=(.*)/s).slice(0, 2)))
    : isMapping(labels)
      ? { ...labels }
      : {};
  out[HASH_LABEL] = hash;
  return { ...svc, labels: out };
}

export function prepareCompose(
  rendered: string,
  projectDir: string,
  secrets: SecretFile[],
  vars: Record<string, string | undefined> = process.env,
  relocate?: Relocate,
): PreparedCompose {
  const doc = parse(rendered) as Mapping;
  const profiles = activeProfiles(vars);
  const services: Mapping = {};
  const hashes: Record<string, string> = {};
  for (const [name, raw] of Object.entries(isMapping(doc.services) ? doc.services : {})) {
    const svc: Mapping = { ...(raw as Mapping) };
    if (Array.isArray(svc.profiles) && !svc.profiles.some((p) => profiles.includes(String(p)))) continue;
    if (Array.isArray(svc.volumes)) svc.volumes = svc.volumes.map((v) => fixVolume(v, projectDir, relocate));
    if (typeof svc.env_file === 'string') svc.env_file = projectPath(svc.env_file, projectDir, relocate);
    if (Array.isArray(svc.env_file))
      svc.env_file = svc.env_file.map((f) => projectPath(String(f), projectDir, relocate));
    // A secret's new value needs a new container (a bind-mounted file keeps its old inode), so it counts too.
    const used = (Array.isArray(svc.secrets) ? svc.secrets : []).map((x) =>
      String(isMapping(x) ? x.source : x),
    );
    const secretHashes = secrets.filter((f) => used.includes(f.name)).map((f) => `${f.name}:${f.hash}`);
    // The image is left out: the plan compares image ids, so a retag (same id, new tag) restarts nothing.
    const { image: _image, ...definition } = svc;
    hashes[name] = hashService({ ...definition, 'x-secrets': secretHashes });
    services[name] = withLabel(svc, hashes[name]);
  }
  const topSecrets: Mapping = {};
  for (const [name, raw] of Object.entries(isMapping(doc.secrets) ? doc.secrets : {})) {
    const s: Mapping = { ...(isMapping(raw) ? raw : {}) };
    const ours = secrets.find((f) => f.name === name);
    if (ours) s.file = ours.path;
    else if (typeof s.file === 'string') s.file = projectPath(s.file, projectDir, relocate);
    topSecrets[name] = s;
  }
  for (const f of secrets) topSecrets[f.name] ??= { file: f.path };
  const document: Mapping = { ...doc, services };
  if (Object.keys(topSecrets).length) document.secrets = topSecrets;
  return { document, hashes };
}

/**
 * YAML 1.1 output: docker-compose v1 and Swarm's loader read YAML 1.1, where an unquoted yes/no/on/off is a
 * boolean — 1.1 quoting keeps `--appendonly yes` a string.
 */
export function toYaml(doc: Mapping, header: string): string {
  return `# ${header}\n` + stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false, version: '1.1' });
}
