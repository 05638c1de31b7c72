/** Secret scanning of a change: a real git repository, a base branch, files changed since the merge base only. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/core/exec.js';
import { runValidation } from '../../src/core/validate/index.js';

const git = (cwd: string, ...args: string[]) =>
  run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, timeoutMs: 30_000 });

const token = 'ghp_' + 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2';

test('only files changed since the merge base are scanned; an old secret on the base is not the change', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'erp-secrets-'));
  await git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'old.env'), `OLD=${token}\n`);
  writeFileSync(join(dir, 'app.py'), 'print(1)\n');
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'base');
  await git(dir, 'checkout', '-q', '-b', 'feature');
  writeFileSync(join(dir, 'app.py'), `print(1)\nTOKEN = "${token}"\n`);
  writeFileSync(join(dir, 'new.txt'), 'nothing to see\n'); // untracked, not ignored: part of the change
  await git(dir, 'add', 'app.py');
  await git(dir, 'commit', '-q', '-m', 'change');

  const change = await runValidation({ root: dir, checks: ['secrets'], baseRef: 'main' });
  expect(change.results[0].checked).toEqual(['app.py', 'new.txt']);
  expect(change.results[0].findings.map((f) => `${f.file}:${f.line}:${f.col} ${f.rule}`)).toEqual([
    'app.py:2:10 SEC004',
  ]);

  const all = await runValidation({ root: dir, checks: ['secrets'] });
  expect(all.results[0].findings.map((f) => f.file).sort()).toEqual(['app.py', 'old.env']);

  // a base the clone does not have: everything is scanned (with a warning), never nothing
  const unknown = await runValidation({ root: dir, checks: ['secrets'], baseRef: 'no-such-branch' });
  expect(unknown.results[0].findings).toHaveLength(2);
}, 60_000);
