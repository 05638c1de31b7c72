/**
 * Where erp-deploy keeps what only saves time (remembered file hashes, parsed compose files): $ERP_DEPLOY_CACHE_DIR,
 * else $XDG_CACHE_HOME/erp-deploy, else ~/.cache/erp-deploy. Outside every project, so a cache never becomes part of
 * a build context it describes. Deleting it is always safe.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.ERP_DEPLOY_CACHE_DIR ||
    join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'erp-deploy')
  );
}
