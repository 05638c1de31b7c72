/**
 * Regenerates the files derived from the code: action.yml (root), docs/reference/inputs.md,
 * docs/configuration.md and schema/erp-deploy.schema.json. `--check` writes nothing and fails on a difference.
 * Run through scripts/gen-docs.sh; test/unit/docs-sync.test.ts runs the same check.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedFiles } from './generate.js';

const root = process.argv.find((a, i) => i > 1 && !a.startsWith('--')) ?? process.cwd();
const check = process.argv.includes('--check');
let stale = 0;
for (const [path, text] of Object.entries(await generatedFiles(root))) {
  const file = join(root, path);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === text) continue;
  if (check) {
    process.stderr.write(`gen-docs: ${path} is stale: run scripts/gen-docs.sh and commit it\n`);
    stale++;
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    process.stdout.write(`gen-docs: wrote ${path}\n`);
  }
}
process.exitCode = stale ? 1 : 0;
