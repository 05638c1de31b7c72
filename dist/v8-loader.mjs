// Runs an action's dist/<name>/bundle.js through V8's code cache; copied to dist/v8-loader.mjs by
// scripts/build-dist.mjs, and every dist/<name>/index.js that has a bundle.js is two lines calling it
// (scripts/dist-loader.mjs explains the rewrite). The compiled code is kept in $ERP_DEPLOY_CACHE_DIR, else
// $XDG_CACHE_HOME/erp-deploy, else ~/.cache/erp-deploy (src/core/cache-dir.ts, which this file cannot import),
// under a name with the sha256 of the bundle's bytes, Node's version and the arch.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** Run the bundle next to `indexUrl` (the calling index.js) as action `name`; settles when the action ends. */
export async function runBundle(indexUrl, name) {
  const file = fileURLToPath(new URL('./bundle.js', indexUrl));
  const bytes = readFileSync(file);
  const source = bytes.toString('utf8');
  const env = process.env;
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 32); // the bytes: no re-encoding
  const dir =
    env.ERP_DEPLOY_CACHE_DIR ||
    join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'erp-deploy');
  const cache = join(dir, 'v8', `${name}-${hash}-${process.version}-${process.arch}.bin`);
  let cachedData;
  try {
    cachedData = readFileSync(cache);
  } catch {
    // first run here: compile, and keep the code for the next run
  }
  const script = new Script(source, { filename: file, cachedData });
  // Hosted runners start empty every job: writing there would only cost time.
  if ((!cachedData || script.cachedDataRejected) && env.RUNNER_ENVIRONMENT !== 'github-hosted')
    process.once('exit', () => {
      try {
        mkdirSync(join(dir, 'v8'), { recursive: true });
        writeFileSync(`${cache}.${process.pid}`, script.createCachedData());
        renameSync(`${cache}.${process.pid}`, cache);
        // one file per action: the code of an older bundle is of no use any more
        for (const f of readdirSync(join(dir, 'v8')))
          if (f.startsWith(`${name}-`) && f !== basename(cache)) rmSync(join(dir, 'v8', f), { force: true });
      } catch {
        // a read-only home only costs the compile next time
      }
    });
  await script.runInThisContext()(createRequire(file), indexUrl);
}
