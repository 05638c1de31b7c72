/**
 * One self-contained compose file for a target: the merged, interpolated document with every service's image
 * replaced by the exact ref that was built (image@digest when pushed, else image:tag) and build keys removed.
 * Services that share a built image without building it (worker, flower use the api image) get the same ref.
 * Literal `$` is escaped again as `$$` so that Compose on the target does not interpolate twice.
 */
import { isAbsolute, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { ImageMap } from '../images/types.js';
import { escapeDollars } from './interpolate.js';
import { isMapping, type Mapping } from './merge.js';
import type { StackModel } from './types.js';

/** The ref each service should run: its own entry, else the entry of a service whose image it shares. */
export function refsFor(model: StackModel, images: ImageMap): Record<string, string> {
  const byImage = new Map<string, string>();
  for (const [name, s] of Object.entries(model.services)) {
    const built = images[name];
    if (built && s.image) byImage.set(s.image, built.ref);
  }
  const refs: Record<string, string> = {};
  for (const [name, s] of Object.entries(model.services)) {
    const ref = images[name]?.ref ?? (s.image ? byImage.get(s.image) : undefined);
    if (ref) refs[name] = ref;
  }
  return refs;
}

export interface RenderOptions {
  /** First comment line of the rendered file. */
  header?: string;
  /**
   * Resolve relative host paths (bind mounts, env_file, secret and config files) against the project
   * directory, as `docker-compose config` does, so the file works from any directory on this machine.
   * Default false: paths stay as written, for a target where the file sits in the project directory.
   */
  absolutePaths?: boolean;
}

const isRelative = (p: string): boolean => p === '.' || p.startsWith('./') || p.startsWith('../');

function absoluteVolume(v: unknown, dir: string): unknown {
  if (typeof v === 'string') {
    const [src, ...rest] = v.split(':');
    return rest.length && isRelative(src) ? [resolve(dir, src), ...rest].join(':') : v;
  }
  if (isMapping(v) && v.type === 'bind' && typeof v.source === 'string' && isRelative(v.source)) {
    return { ...v, source: resolve(dir, v.source) };
  }
  return v;
}

function absoluteFiles(section: unknown, dir: string): unknown {
  if (!isMapping(section)) return section;
  return Object.fromEntries(
    Object.entries(section).map(([k, v]) => [
      k,
      isMapping(v) && typeof v.file === 'string' && !isAbsolute(v.file)
        ? { ...v, file: resolve(dir, v.file) }
        : v,
    ]),
  );
}

export function renderCompose(model: StackModel, images: ImageMap, opts: RenderOptions = {}): string {
  const refs = refsFor(model, images);
  const services: Mapping = {};
  for (const [name, value] of Object.entries((model.document.services as Mapping) ?? {})) {
    const svc: Mapping = { ...(isMapping(value) ? value : {}) };
    if (refs[name]) svc.image = refs[name];
    if (svc.build !== undefined) {
      if (!refs[name] && !svc.image) {
        throw new Error(`service "${name}" is built from source but the image map has no entry for it`);
      }
      delete svc.build;
    }
    if (opts.absolutePaths) {
      if (Array.isArray(svc.volumes))
        svc.volumes = svc.volumes.map((v) => absoluteVolume(v, model.projectDir));
      if (svc.env_file !== undefined) {
        svc.env_file = ([] as unknown[])
          .concat(svc.env_file)
          .map((f) => (typeof f === 'string' ? resolve(model.projectDir, f) : f));
      }
    }
    services[name] = svc;
  }
  const top: Mapping = { ...model.document, services };
  if (opts.absolutePaths) {
    top.secrets = absoluteFiles(top.secrets, model.projectDir);
    top.configs = absoluteFiles(top.configs, model.projectDir);
  }
  // `version` stays as written: `docker stack deploy` needs it; Compose v2 ignores it.
  const doc = escapeDollars(top) as Mapping;
  if (doc.configs === undefined) delete doc.configs;
  if (doc.secrets === undefined) delete doc.secrets;
  const header =
    opts.header ?? `Rendered by erp-deploy from ${model.files.length} compose file(s); images pinned.`;
  return `# ${header}\n` + stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}
