// Bundle every action entry and the CLI with ncc: one self-contained dist/<name>/index.js each.
// ESM output (the @actions/* majors are ESM-only); dist/<name>/package.json marks the folder as a module.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { installLoader } from './dist-loader.mjs';

const entries = readdirSync('src/actions', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join('src/actions', d.name, 'index.ts')))
  .map((d) => [d.name, join('src/actions', d.name, 'index.ts')]);
entries.push(['cli', 'src/cli/index.ts']);
const only = process.argv.slice(2);
for (const [name, entry] of entries) {
  if (only.length && !only.includes(name)) continue;
  const out = join('dist', name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  execFileSync(
    process.execPath,
    [
      'node_modules/@vercel/ncc/dist/ncc/cli.js',
      'build',
      entry,
      '-o',
      out,
      '--license',
      'licenses.txt',
      '-q',
      '--target',
      'es2022',
    ],
    { stdio: 'inherit' },
  );
  const loader = installLoader(out, name);
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');
  process.stdout.write(`built ${out}/index.js${loader ? ' (+ bundle.js through the V8 code cache)' : ''}\n`);
}
