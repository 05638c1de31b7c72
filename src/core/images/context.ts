/**
 * The content of a build context as Docker sends it: every file not excluded by .dockerignore (Docker's own
 * matching rules, via @balena/dockerignore), hashed with its relative path and executable bit.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, existsSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { HashCache } from './hash-cache.js';

// CommonJS module whose typings declare an ES default export: take whichever shape the loader gives.
const ignore = ((dockerignore as unknown as { default?: unknown }).default ??
  dockerignore) as unknown as typeof dockerignore.default;

export interface ContextDigest {
  digest: string;
  files: number;
  bytes: number;
}

interface Rules {
  ignored(path: string): boolean;
  /** `!pattern` lines exist: an ignored directory may still hold re-included files. */
  reincludes: boolean;
}

function ignoreRules(context: string, dockerfile: string): Rules {
  const specific = `${dockerfile}.dockerignore`;
  const file = existsSync(specific) ? specific : join(context, '.dockerignore');
  if (!existsSync(file)) return { ignored: () => false, reincludes: false };
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const ig = ignore().add(lines);
  return { ignored: (p) => ig.ignores(p), reincludes: lines.some((l) => l.trim().startsWith('!')) };
}

/**
 * Hash the context; throws (with the OS error code) when the context cannot be read. Files whose stat is
 * unchanged since `cache` saw them are not read again.
 */
export function hashContext(context: string, dockerfile: string, cache = new HashCache()): ContextDigest {
  const rules = ignoreRules(context, dockerfile);
  const entries: string[] = [];
  let bytes = 0;
  const walk = (dir: string): void => {
    const items: Dirent[] = readdirSync(dir, { withFileTypes: true });
    items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of items) {
      const abs = join(dir, d.name);
      const rel = relative(context, abs).split(sep).join('/');
      const ignored = rules.ignored(rel);
      if (ignored && !(d.isDirectory() && rules.reincludes)) continue;
      if (d.isDirectory()) walk(abs);
      else if (!ignored && (d.isFile() || d.isSymbolicLink())) {
        const st = statSync(abs, { bigint: true });
        bytes += Number(st.size);
        const h = cache.hash(abs, st, () => createHash('sha256').update(readFileSync(abs)).digest('hex'));
        entries.push(`${rel}\0${st.mode & 0o111n ? 'x' : '-'}\0${h}`);
      }
    }
  };
  walk(context);
  return {
    digest: createHash('sha256').update(entries.join('\n')).digest('hex'),
    files: entries.length,
    bytes,
  };
}
