// Prints one closing line for the whole test command from the reports the suites wrote:
// jest's --json files (reports/test/*.json) and pytest's JUnit XML (reports/test/pytest.xml).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'reports/test';
let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const f of existsSync(dir) ? readdirSync(dir).sort() : []) {
  const path = join(dir, f);
  if (f.endsWith('.json')) {
    const r = JSON.parse(readFileSync(path, 'utf8'));
    const s = r.numPendingTests + r.numTodoTests;
    rows.push([f, r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites, s]);
  } else if (f.endsWith('.xml')) {
    const x = readFileSync(path, 'utf8');
    const n = (k) =>
      [...x.matchAll(new RegExp(`<testsuite [^>]*\\b${k}="(\\d+)"`, 'g'))].reduce(
        (a, m) => a + Number(m[1]),
        0,
      );
    const total = n('tests');
    const bad = n('failures') + n('errors');
    const skip = n('skipped');
    rows.push([f, total - bad - skip, bad, skip]);
  }
}
for (const [name, p, fl, s] of rows) {
  process.stdout.write(`  ${name.padEnd(24)} ${p} passed, ${fl} failed, ${s} skipped\n`);
  passed += p;
  failed += fl;
  skipped += s;
}
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exitCode = failed > 0 || rows.length === 0 ? 1 : 0;
