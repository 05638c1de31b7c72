/**
 * What a deploy keeps on its target, under <stateDir>/<projectName>/ (Kamal keeps the same per host):
 *   releases/<id>/release.json   the release record
 *   releases/<id>/compose.yml    the rendered compose file it deployed (rollback redeploys exactly this)
 *   audit.jsonl                  one JSON line per action (deploy, rollback, lock, outcome)
 *   lock/holder.json             the deploy lock (the directory itself is the atomic part)
 *   secrets/<name>               secret files, mode 0444 in a 0700 directory
 */
import { posix } from 'node:path';
import type { Target } from './target.js';

export interface StatePaths {
  root: string;
  releases: string;
  audit: string;
  lock: string;
  secrets: string;
}

export function statePaths(stateDir: string, projectName: string): StatePaths {
  const root = posix.join(stateDir, projectName);
  return {
    root,
    releases: posix.join(root, 'releases'),
    audit: posix.join(root, 'audit.jsonl'),
    lock: posix.join(root, 'lock'),
    secrets: posix.join(root, 'secrets'),
  };
}

export async function ensureState(target: Target, paths: StatePaths): Promise<void> {
  await target.makeDir(paths.releases, { mode: 0o750 });
}

export interface AuditEntry {
  at: string;
  who: string;
  action: string;
  release?: string;
  detail?: string;
}

export async function audit(target: Target, paths: StatePaths, entry: Omit<AuditEntry, 'at'>): Promise<void> {
  const line = JSON.stringify({ at: new Date().toISOString(), ...entry }) + '\n';
  await target.appendFile(paths.audit, line);
}

export async function readAudit(target: Target, paths: StatePaths): Promise<AuditEntry[]> {
  const text = (await target.readFile(paths.audit)) ?? '';
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEntry);
}
