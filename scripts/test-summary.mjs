// Prints one closing line for the whole test command from the reports the suites wrote:
// jest's --json files (reports/test/*.json) and pytest's JUnit XML (reports/test/pytest.xml).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'reports/test';
let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
// What failed, a line each, so the end of a long CI log names the tests and why (the middle gets cut).
const failures = [];
const oneLine = (text, max = 400) =>
  text
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at '))
    .join(' | ')
    .slice(0, max);
for (const f of existsSync(dir) ? readdirSync(dir).sort() : []) {
  const path = join(dir, f);
  if (f.endsWith('.json')) {
    const r = JSON.parse(readFileSync(path, 'utf8'));
    const s = r.numPendingTests + r.numTodoTests;
    rows.push([f, r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites, s]);
    for (const file of r.testResults ?? []) {
      const name = file.name.slice(file.name.indexOf('/test/') + 1);
      const bad = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
      for (const a of bad) failures.push(`${name} › ${a.fullName}: ${oneLine(a.failureMessages.join('\n'))}`);
      if (!bad.length && file.status === 'failed') failures.push(`${name}: ${oneLine(file.message ?? '')}`);
    }
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
    for (const m of x.matchAll(
      /<testcase [^>]*?classname="([^"]*)" name="([^"]*)"[^>]*>\s*<(failure|error) message="([^"]*)"/g,
    ))
      failures.push(`${f} › ${m[1]}.${m[2]}: ${oneLine(m[4])}`);
  }
}
for (const [name, p, fl, s] of rows) {
  process.stdout.write(`  ${name.padEnd(24)} ${p} passed, ${fl} failed, ${s} skipped\n`);
  passed += p;
  failed += fl;
  skipped += s;
}
for (const line of failures) process.stdout.write(`FAILED ${line}\n`);
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exitCode = failed > 0 || rows.length === 0 ? 1 : 0;
