/**
 * Secret scanning of the change (files changed since the merge base with base-ref) or of every tracked file:
 * private keys, AWS keys, GitHub tokens, passwords written into URLs. Paths listed in `.secretsignore`
 * (globs, one a line) are left out — for deliberate test fixtures. Messages never repeat the secret.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { changedFiles, globToRegExp } from '../files.js';
import { skipped, type Check, type CheckOutcome, type Finding } from '../types.js';

export const SECRETS_IGNORE_FILE = '.secretsignore';
const MAX_BYTES = 2 * 1024 * 1024;

interface Pattern {
  rule: string;
  what: string;
  re: RegExp;
  /** Reject a match (placeholders, variable references). */
  accept?: (m: RegExpExecArray) => boolean;
}

const PLACEHOLDER = /^(\$|<|\{|%|\*|x+$|\.\.\.|password$|pass$|secret$|changeme$)/i;

export const SECRET_PATTERNS: Pattern[] = [
  {
    rule: 'SEC001',
    what: 'a private key',
    // the header followed by key material (code that only names the header, e.g. a parser, is not a key)
    re: /-----BEGIN ((RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----(\\r|\\n|\s)+([\w-]+: [^\n]*\n)*[A-Za-z0-9+/=]{20,}/g,
  },
  {
    rule: 'SEC002',
    what: 'an AWS access key id',
    re: /\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b/g,
  },
  {
    rule: 'SEC003',
    what: 'an AWS secret access key',
    re: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
  },
  {
    rule: 'SEC004',
    what: 'a GitHub token',
    re: /\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g,
  },
  {
    rule: 'SEC005',
    what: 'a password in a URL',
    re: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@'"`<>]*:([^\s@/'"`<>]+)@[^\s'"`<>]/gi,
    accept: (m) => !PLACEHOLDER.test(m[1]),
  },
];

export function scanText(text: string, file: string): Finding[] {
  const out: Finding[] = [];
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const position = (offset: number): { line: number; col: number } => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - lineStarts[lo] + 1 };
  };
  for (const p of SECRET_PATTERNS) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(text); m; m = p.re.exec(text)) {
      if (p.accept && !p.accept(m)) continue;
      out.push({
        file,
        ...position(m.index),
        severity: 'error',
        rule: p.rule,
        message: `${p.what} is committed here: remove it, rotate it, and load it from a secret store at run time`,
      });
    }
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

export function readIgnore(root: string): RegExp[] {
  const f = join(root, SECRETS_IGNORE_FILE);
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map(globToRegExp);
}

export const secretsCheck: Check = {
  name: 'secrets',
  title: 'Secret scanning',
  async run(ctx): Promise<CheckOutcome> {
    let files: string[];
    try {
      files = ctx.baseRef ? await changedFiles(ctx.root, ctx.baseRef) : await ctx.files();
    } catch (e) {
      // A shallow clone may lack the base: scan everything rather than nothing.
      ctx.logger.warn(
        `cannot list the change against ${ctx.baseRef} (${(e as Error).message}); scanning every tracked file`,
      );
      files = await ctx.files();
    }
    const ignore = readIgnore(ctx.root);
    const scanned = files.filter((f) => !ignore.some((re) => re.test(f)));
    const findings: Finding[] = [];
    for (const f of scanned) {
      const abs = join(ctx.root, f);
      if (statSync(abs).size > MAX_BYTES) continue;
      const buf = readFileSync(abs);
      if (buf.subarray(0, 8000).includes(0)) continue; // binary
      findings.push(...scanText(buf.toString('utf8'), f));
    }
    if (scanned.length === 0)
      return skipped(ctx.baseRef ? `no file changed since ${ctx.baseRef}` : 'no files to scan');
    return { findings, checked: scanned };
  },
};
