/** Release records on the target: each deploy and rollback appends one; the last healthy one is the known-good. */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { InputError } from '../errors.js';
import type { StatePaths } from './state.js';
import type { Target } from './target.js';
import { byCodePoint } from '../compare.js';

export type ReleaseOutcome = 'pending' | 'healthy' | 'failed' | 'rolled-back';

export interface ReleaseService {
  /** What the compose file references (image@digest or image:tag). */
  ref: string;
  /** The image id the containers must run. */
  imageId: string;
  digest: string;
}

export interface Release {
  id: string;
  environment: string;
  driver: string;
  target: string;
  /** Services whose image this release sets (the rest keep what the compose file names). */
  services: Record<string, ReleaseService>;
  /** Services this release restarted. */
  changed: string[];
  who: string;
  at: string;
  finishedAt?: string;
  ref?: string;
  sha?: string;
  outcome: ReleaseOutcome;
  /** For a rollback: the release it restored. */
  rollbackOf?: string;
  /** What happened, when it did not end healthy. */
  message?: string;
}

/** Sortable, unique: r20261126-061700-3fa2. */
export function newReleaseId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `r${t}-${randomBytes(2).toString('hex')}`;
}

const releaseDir = (paths: StatePaths, id: string) => posix.join(paths.releases, id);

export async function saveRelease(
  target: Target,
  paths: StatePaths,
  r: Release,
  compose?: string,
): Promise<void> {
  const dir = releaseDir(paths, r.id);
  await target.makeDir(dir, { mode: 0o750 });
  if (compose !== undefined) await target.writeFile(posix.join(dir, 'compose.yml'), compose, 0o640);
  await target.writeFile(posix.join(dir, 'release.json'), JSON.stringify(r, null, 2) + '\n', 0o640);
}

/** Every recorded release, oldest first. */
export async function listReleases(target: Target, paths: StatePaths): Promise<Release[]> {
  const out: Release[] = [];
  for (const id of await target.list(paths.releases)) {
    const text = await target.readFile(posix.join(releaseDir(paths, id), 'release.json'));
    if (text) out.push(JSON.parse(text) as Release);
  }
  return out.sort((a, b) => byCodePoint(a.id, b.id));
}

export async function readReleaseCompose(target: Target, paths: StatePaths, id: string): Promise<string> {
  const text = await target.readFile(posix.join(releaseDir(paths, id), 'compose.yml'));
  if (text === undefined) throw new InputError(`release ${id} has no rendered compose file on the target`);
  return text;
}

/** The last healthy release: what runs when all went well, and what an automatic rollback restores. */
export function knownGood(releases: Release[]): Release | undefined {
  return [...releases].reverse().find((r) => r.outcome === 'healthy');
}

/**
 * A release to roll back to: an id, or "previous" — the healthy release before the current known-good
 * that ran other images (a rollback of a rollback goes forward again, as Kamal's does).
 */
export function resolveRollback(releases: Release[], which: string): Release {
  const healthy = releases.filter((r) => r.outcome === 'healthy');
  if (which === 'previous') {
    const current = healthy[healthy.length - 1];
    if (!current)
      throw new InputError('no healthy release recorded yet: nothing to roll back to', undefined, 'release');
    const same = JSON.stringify(current.services);
    const prev = [...healthy]
      .reverse()
      .find((r) => r.id !== current.id && JSON.stringify(r.services) !== same);
    if (!prev)
      throw new InputError(`no healthy release before ${current.id} with other images`, undefined, 'release');
    return prev;
  }
  const r = releases.find((x) => x.id === which);
  if (!r) {
    const known =
      releases
        .slice(-5)
        .map((x) => x.id)
        .join(', ') || 'none';
    throw new InputError(
      `unknown release "${which}" (records beyond keepReleases are pruned); recent releases: ${known}`,
      undefined,
      'release',
    );
  }
  return r;
}
