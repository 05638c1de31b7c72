/** Which files the checks look at: tracked (and new, not ignored) files of the repository, or the change vs a base ref. */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { run } from '../exec.js';

const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', '.venv', 'coverage', '.erp-deploy']);

/** Every file of the repository below root (relative paths), git's view when root is inside a work tree. */
export async function repositoryFiles(root: string): Promise<string[]> {
  const git = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    ignoreReturnCode: true,
    timeoutMs: 60_000,
  }).catch(() => undefined);
  if (git && git.code === 0) return unique(git.stdout.split('\0').filter(Boolean)).filter(exists(root));
  return walk(root, root);
}

/** Files added, copied, modified or renamed since the merge base with baseRef (work tree included). */
export async function changedFiles(root: string, baseRef: string): Promise<string[]> {
  const mergeBase = (ref: string) =>
    run('git', ['merge-base', ref, 'HEAD'], { cwd: root, ignoreReturnCode: true, timeoutMs: 60_000 });
  let mb = await mergeBase(baseRef);
  // A pull request's base is a branch name (github.base_ref) that a checkout only has as origin/<name>.
  if (mb.code !== 0 && !baseRef.startsWith('origin/')) mb = await mergeBase(`origin/${baseRef}`);
  if (mb.code !== 0)
    throw new Error(`cannot find the merge base of ${baseRef} and HEAD: ${mb.stderr.trim()}`);
  const base = mb.stdout.trim();
  const diff = await run('git', ['diff', '-z', '--relative', '--name-only', '--diff-filter=ACMR', base], {
    cwd: root,
    timeoutMs: 60_000,
  });
  const untracked = await run('git', ['ls-files', '-z', '--others', '--exclude-standard'], {
    cwd: root,
    timeoutMs: 60_000,
  });
  return unique([...diff.stdout.split('\0'), ...untracked.stdout.split('\0')].filter(Boolean)).filter(
    exists(root),
  );
}

function exists(root: string): (f: string) => boolean {
  return (f) => {
    try {
      return statSync(join(root, f)).isFile();
    } catch {
      return false;
    }
  };
}

function unique(list: string[]): string[] {
  return [...new Set(list)].sort();
}

function walk(root: string, dir: string, out: string[] = [], limit = 20_000): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (out.length >= limit) break;
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(root, p, out, limit);
    } else if (e.isFile()) out.push(relative(root, p).split(sep).join('/'));
  }
  return out.sort();
}

/** Simple globs for ignore lists: `*` within a segment, `**` across segments, a trailing `/` for a directory. */
export function globToRegExp(glob: string): RegExp {
  let g = glob.trim();
  const anchored = g.replace(/\/$/, '').includes('/');
  if (g.startsWith('/')) g = g.slice(1);
  if (g.endsWith('/')) g += '**';
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*' && g[i + 1] === '*') {
      re += '.*';
      i++;
      if (g[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${re}$`);
}
