/** Context hashing: .dockerignore (Docker's rules), content, names and the executable bit change the digest. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashContext } from '../../src/core/images/context.js';
import { HashCache } from '../../src/core/images/hash-cache.js';

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

describe('hashContext with a remembered-hash cache', () => {
  const settle = () => new Promise((r) => setTimeout(r, 5));

  it('reads an unchanged file once across runs, and again as soon as it changes', async () => {
    const dir = context();
    const df = join(dir, 'Dockerfile');
    const file = join(mkdtempSync(join(tmpdir(), 'erpt-hc-')), 'cache', 'hashes.json');
    await settle();
    const warm = new HashCache(file, 1); // remember what changed more than 1 ms ago
    const first = hashContext(dir, df, warm);
    warm.save();
    const cache = new HashCache(file, 1);
    const seen: string[] = [];
    const spy = cache.hash.bind(cache);
    cache.hash = (p, st, compute) => spy(p, st, () => (seen.push(p), compute()));
    expect(hashContext(dir, df, cache).digest).toBe(first.digest);
    expect(seen).toEqual([]); // every file came from the cache
    writeFileSync(join(dir, 'src/app.py'), 'print(9)\n'); // same size, new content, new mtime
    const changed = hashContext(dir, df, cache);
    expect(seen).toEqual([join(dir, 'src/app.py')]);
    expect(changed.digest).toBe(hashContext(dir, df).digest); // the uncached answer
    expect(changed.digest).not.toBe(first.digest);
  });

  it('never remembers a file written within the last second (a same-tick rewrite would look unchanged)', async () => {
    const dir = context();
    const df = join(dir, 'Dockerfile');
    const file = join(mkdtempSync(join(tmpdir(), 'erpt-hc-')), 'cache', 'hashes.json');
    const fresh = new HashCache(file); // the default window: 1 s
    hashContext(dir, df, fresh);
    fresh.save();
    expect(existsSync(file)).toBe(false); // every file is younger than a second: nothing remembered
    await settle();
    const later = new HashCache(file, 1);
    hashContext(dir, df, later);
    later.save();
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).files)).toHaveLength(3);
  });

  it('a corrupt or foreign cache file is an empty cache, not an error', () => {
    const dir = context();
    const df = join(dir, 'Dockerfile');
    const file = join(mkdtempSync(join(tmpdir(), 'erpt-hc-')), 'hashes.json');
    writeFileSync(file, '{"v":1,"files":');
    expect(hashContext(dir, df, new HashCache(file)).digest).toBe(hashContext(dir, df).digest);
    writeFileSync(
      file,
      JSON.stringify({ v: 99, files: { [join(dir, 'src/app.py')]: { stat: 'x', hash: 'y' } } }),
    );
    expect(hashContext(dir, df, new HashCache(file)).digest).toBe(hashContext(dir, df).digest);
  });
});
