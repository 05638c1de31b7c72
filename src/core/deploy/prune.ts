/**
 * Retention, as Kamal prunes after a deploy: an environment keeps its newest `keepReleases` release records
 * (and always its known-good one); older records go, with the project files only they mounted and the images
 * only they named. An image stays while any container on the engine uses it or any kept release of any
 * project under the same state directory names it (staging and production often share one engine).
 * Pruning never fails a deploy: a problem is a warning.
 */
import { posix } from 'node:path';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { listReleases, knownGood, type Release } from './releases.js';
import { filesRoot } from './ship-files.js';
import { audit, statePaths, type StatePaths } from './state.js';
import type { Target } from './target.js';

export interface PruneReport {
  releases: string[];
  images: string[];
  files: string[];
}

/** Which records go: all but the newest `keep` and the known-good. Pure. */
export function pruneSelection(releases: Release[], keep: number): { kept: Release[]; pruned: Release[] } {
  const good = knownGood(releases)?.id;
  const newest = new Set(releases.slice(-keep).map((r) => r.id));
  const kept = releases.filter((r) => newest.has(r.id) || r.id === good);
  return { kept, pruned: releases.filter((r) => !kept.includes(r)) };
}

const idsOf = (rs: Release[]) =>
  new Set(rs.flatMap((r) => Object.values(r.services).map((s) => s.imageId)).filter(Boolean));

/** Image ids only pruned releases name, that no kept release (of any project) and no container uses. Pure. */
export function unusedImages(pruned: Release[], keptAnywhere: Release[], inUse: Set<string>): string[] {
  const kept = idsOf(keptAnywhere);
  return [...idsOf(pruned)].filter((id) => !kept.has(id) && !inUse.has(id)).sort();
}

/** Kept releases of the other projects sharing the state directory (their records say what they still need). */
async function otherProjectsReleases(target: Target, paths: StatePaths, keep: number): Promise<Release[]> {
  const stateDir = posix.dirname(paths.root);
  const out: Release[] = [];
  for (const project of await target.list(stateDir)) {
    const other = statePaths(stateDir, project);
    if (other.root === paths.root) continue;
    out.push(...pruneSelection(await listReleases(target, other), keep).kept);
  }
  return out;
}

async function imagesInUse(target: Target, docker: string): Promise<Set<string>> {
  const ids = (await target.exec(docker, ['container', 'ls', '-a', '-q', '--no-trunc'])).stdout
    .split('\n')
    .filter(Boolean);
  if (!ids.length) return new Set();
  const r = await target.exec(docker, ['container', 'inspect', '--format', '{{.Image}}', ...ids], {
    ignoreReturnCode: true, // a container removed meanwhile
  });
  return new Set(r.stdout.split('\n').filter(Boolean));
}

/** Remove an image with every tag it has (no force: an engine that still needs it refuses). */
async function removeImage(target: Target, docker: string, id: string): Promise<boolean> {
  const tags = await target.exec(docker, ['image', 'inspect', '--format', '{{join .RepoTags "\\n"}}', id], {
    ignoreReturnCode: true,
  });
  if (tags.code !== 0) return false; // already gone
  const refs = tags.stdout.split('\n').filter(Boolean);
  const r = await target.exec(docker, ['image', 'rm', ...(refs.length ? refs : [id])], {
    ignoreReturnCode: true,
  });
  return r.code === 0;
}

export async function pruneReleases(
  target: Target,
  paths: StatePaths,
  keep: number,
  who: string,
  logger: Logger,
): Promise<PruneReport> {
  const report: PruneReport = { releases: [], images: [], files: [] };
  try {
    const { kept, pruned } = pruneSelection(await listReleases(target, paths), keep);
    if (!pruned.length) return report;
    const keptAnywhere = [...kept, ...(await otherProjectsReleases(target, paths, keep))];
    // The engine is asked only when some image may go.
    let images = unusedImages(pruned, keptAnywhere, new Set());
    const docker = images.length ? await target.docker() : '';
    if (images.length) images = unusedImages(pruned, keptAnywhere, await imagesInUse(target, docker));
    for (const r of pruned) {
      await target.remove(posix.join(paths.releases, r.id));
      report.releases.push(r.id);
    }
    for (const id of images) if (await removeImage(target, docker, id)) report.images.push(id);
    // Copied project files: a content directory stays while a kept release's compose file mounts it.
    const keptText = (
      await Promise.all(kept.map((r) => target.readFile(posix.join(paths.releases, r.id, 'compose.yml'))))
    ).join('\n');
    const root = filesRoot(paths.root);
    for (const hash of await target.list(root)) {
      if (keptText.includes(`${root}/${hash}/`)) continue;
      await target.remove(posix.join(root, hash));
      report.files.push(hash);
    }
    const detail = `releases ${report.releases.join(',')}; images ${report.images.length}; file copies ${report.files.length}`;
    logger.info(`prune: kept the newest ${keep} release(s) and the known-good; removed ${detail}`);
    await audit(target, paths, { who, action: 'prune', detail });
  } catch (e) {
    logger.warn(`prune: stopped (${messageOf(e)}); the deploy itself is not affected`);
  }
  return report;
}
