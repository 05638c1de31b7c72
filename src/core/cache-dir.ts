/**
 * Where erp-deploy keeps what only saves time (remembered file hashes, parsed compose files): $ERP_DEPLOY_CACHE_DIR,
 * else $XDG_CACHE_HOME/erp-deploy, else ~/.cache/erp-deploy. Outside every project, so a cache never becomes part of
 * a build context it describes. Deleting it is always safe.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.ERP_DEPLOY_CACHE_DIR ||
    join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'erp-deploy')
  );
}

/**
 * Bound a cache folder: when more than `keep` of its files match, the newest half of `keep` stays and the rest
 * (entries not used for a while) goes. Throws like readdir does; callers treat any failure as "nothing pruned".
 */
export function dropOldest(dir: string, keep: number, matches: (name: string) => boolean = () => true): void {
  const names = readdirSync(dir).filter(matches);
  if (names.length <= keep) return;
  names
    .map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t)
    .slice(keep / 2)
    .forEach(({ n }) => rmSync(join(dir, n), { force: true }));
}
