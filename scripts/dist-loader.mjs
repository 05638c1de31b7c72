// Turns an ncc ESM bundle into a classic script run through V8's code cache (what Node 22's
// module.enableCompileCache does; Node 20, which actions run on, lacks it). The bundle moves to
// dist/<name>/bundle.js unchanged but for two mechanical rewrites that let it run as a script (the createRequire
// import and import.meta.url become parameters); dist/<name>/index.js becomes two lines calling the shared loader
// (scripts/v8-loader.mjs, copied to dist/v8-loader.mjs), which keeps the compiled code in the user's cache
// directory, never in dist/.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
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

/** dist/<name>/index.js when the bundle runs through the shared loader (dist/v8-loader.mjs). */
export function loaderFor(name) {
  return `// erp-deploy ${name}: runs bundle.js through V8's code cache (scripts/v8-loader.mjs explains).
import { runBundle } from '../v8-loader.mjs';

await runBundle(import.meta.url, '${name}');
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
  copyFileSync(new URL('./v8-loader.mjs', import.meta.url), join(dir, '..', 'v8-loader.mjs'));
  return true;
}
