// erp-deploy smoke-check: runs bundle.js through V8's code cache (scripts/dist-loader.mjs explains).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const file = fileURLToPath(new URL('./bundle.js', import.meta.url));
const bytes = readFileSync(file);
const source = bytes.toString('utf8');
const env = process.env;
const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 32); // the bytes: no re-encoding
const dir = env.ERP_DEPLOY_CACHE_DIR || join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'erp-deploy');
const cache = join(dir, 'v8', `smoke-check-${hash}-${process.version}-${process.arch}.bin`);
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
        if (f.startsWith('smoke-check-') && f !== basename(cache)) rmSync(join(dir, 'v8', f), { force: true });
    } catch {
      // a read-only home only costs the compile next time
    }
  });
await script.runInThisContext()(createRequire(file), import.meta.url);
