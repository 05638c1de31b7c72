// Turns an ncc ESM bundle into a classic script run through V8's code cache (what Node 22's
// module.enableCompileCache does; Node 20, which actions run on, lacks it). dist/<name>/index.js becomes a small
// loader; the bundle moves to dist/<name>/bundle.js unchanged but for two mechanical rewrites that let it run as
// a script: the createRequire import and import.meta.url become parameters. The compiled code is kept in the user's cache directory, never in dist/, under a
// name that includes the hash of the bundle's content (V8 itself only checks a cached script's length).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';

const IMPORT_LINE = 'import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";';

export function toScript(bundle, file) {
  let text = bundle;
  let shebang = '';
  if (text.startsWith('#!')) {
    shebang = text.slice(0, text.indexOf('\n') + 1);
    text = text.slice(shebang.length);
  }
  if (!text.startsWith(IMPORT_LINE))
    throw new Error(`${file}: ncc output no longer starts with "${IMPORT_LINE}"`);
  text = text
    .slice(IMPORT_LINE.length)
    .replaceAll('__WEBPACK_EXTERNAL_createRequire(import.meta.url)', '__erpRequire')
    .replaceAll('import.meta.url', '__erpUrl');
  const script = `(async function (__erpRequire, __erpUrl) {${text}\n})`;
  try {
    new Script(script, { filename: file }); // an import/export statement or import.meta left: a syntax error here
  } catch (e) {
    throw new Error(`${file}: the rewritten bundle does not compile as a script: ${e.message}`);
  }
  return { shebang, script };
}

export function loaderFor(name) {
  return `// erp-deploy ${name}: runs bundle.js through V8's code cache (scripts/dist-loader.mjs explains).
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
const cache = join(dir, 'v8', \`${name}-\${hash}-\${process.version}-\${process.arch}.bin\`);
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
      writeFileSync(\`\${cache}.\${process.pid}\`, script.createCachedData());
      renameSync(\`\${cache}.\${process.pid}\`, cache);
      // one file per action: the code of an older bundle is of no use any more
      for (const f of readdirSync(join(dir, 'v8')))
        if (f.startsWith('${name}-') && f !== basename(cache)) rmSync(join(dir, 'v8', f), { force: true });
    } catch {
      // a read-only home only costs the compile next time
    }
  });
await script.runInThisContext()(createRequire(file), import.meta.url);
`;
}

/**
 * Rewrite dist/<name>/index.js (ncc's ESM output) into bundle.js + the loader. A bundle that loads code chunks
 * (import() of ./<n>.index.js: the CLI's and deploy-env's SSH client) stays as ncc wrote it: on Node 20 a script
 * can only import() through vm's experimental default loader, which prints a warning into every log.
 * Returns whether the loader was installed.
 */
export function installLoader(dir, name) {
  const index = join(dir, 'index.js');
  const bundle = readFileSync(index, 'utf8');
  if (bundle.includes('import("./" + __nccwpck_require__.u(chunkId))')) return false;
  const { shebang, script } = toScript(bundle, index);
  writeFileSync(join(dir, 'bundle.js'), script);
  writeFileSync(index, shebang + loaderFor(name), { mode: shebang ? 0o755 : 0o644 });
  return true;
}
