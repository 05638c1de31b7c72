/**
 * The content key of an image: what it is built from, so an unchanged image is never rebuilt. It covers the
 * build context after .dockerignore, the Dockerfile, the build args, the target, the repository, the id of
 * every external base image on the engine, and the keys of the planned images it builds FROM. It does not
 * cover the commit or the time: those only go into labels of real builds.
 */
import { createHash } from 'node:crypto';
import { hashContext } from './context.js';
import type { HashCache } from './hash-cache.js';
import type { BuildUnit } from './plan.js';

export const KEY_LABEL = 'org.erp-deploy.content-key';

/**
 * The tag that finds the image built for a key. A label alone cannot: images built FROM ours inherit it.
 * A tag is not inherited, and the label on the tagged image is checked too.
 */
export function keyRef(repository: string, key: string): string {
  return `${repository}:ck-${key}`;
}
export const KEY_VERSION = 1;

export function contentKey(
  unit: BuildUnit,
  baseIds: Record<string, string>,
  depKeys: Record<string, string>,
  hashes?: HashCache,
): string {
  const ctx = hashContext(unit.build.context, unit.build.dockerfile, hashes);
  const material = {
    v: KEY_VERSION,
    repository: unit.repository,
    dockerfile: unit.dockerfileText,
    context: ctx.digest,
    args: Object.fromEntries(Object.entries(unit.build.args).sort(([a], [b]) => (a < b ? -1 : 1))),
    target: unit.build.target ?? '',
    bases: Object.fromEntries(unit.bases.map((b) => [b, depKeys[b] ?? baseIds[b] ?? `unresolved:${b}`])),
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex').slice(0, 32);
}
