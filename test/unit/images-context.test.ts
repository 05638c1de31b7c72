/** Context hashing: .dockerignore (Docker's rules), content, names and the executable bit change the digest. */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashContext } from '../../src/core/images/context.js';

function context(): string {
  const dir = mkdtempSync(join(tmpdir(), 'erpt-ctx-'));
  mkdirSync(join(dir, 'notes'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM x\n');
  writeFileSync(join(dir, 'src/app.py'), 'print(1)\n');
  writeFileSync(join(dir, 'notes/todo.md'), 'x\n');
  writeFileSync(join(dir, 'debug.log'), 'x\n');
  writeFileSync(join(dir, '.dockerignore'), 'notes/\n*.log\n!keep.log\n');
  return dir;
}

describe('hashContext', () => {
  it('ignores what .dockerignore excludes and sees what it re-includes', () => {
    const dir = context();
    const df = join(dir, 'Dockerfile');
    const first = hashContext(dir, df);
    expect(first.files).toBe(3); // Dockerfile, .dockerignore, src/app.py: notes/ and *.log are ignored
    writeFileSync(join(dir, 'notes/todo.md'), 'changed\n');
    writeFileSync(join(dir, 'other.log'), 'y\n');
    expect(hashContext(dir, df).digest).toBe(first.digest);
    writeFileSync(join(dir, 'keep.log'), 'kept\n');
    expect(hashContext(dir, df).digest).not.toBe(first.digest);
  });

  it('changes with content, file names and the executable bit', () => {
    const dir = context();
    const df = join(dir, 'Dockerfile');
    const a = hashContext(dir, df).digest;
    chmodSync(join(dir, 'src/app.py'), 0o755);
    const b = hashContext(dir, df).digest;
    writeFileSync(join(dir, 'src/app.py'), 'print(2)\n');
    const c = hashContext(dir, df).digest;
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('a Dockerfile-specific ignore file wins over .dockerignore', () => {
    const dir = context();
    writeFileSync(join(dir, 'Dockerfile.dockerignore'), 'src/\n');
    const df = join(dir, 'Dockerfile');
    const a = hashContext(dir, df);
    writeFileSync(join(dir, 'src/app.py'), 'print(3)\n');
    expect(hashContext(dir, df).digest).toBe(a.digest);
  });
});
