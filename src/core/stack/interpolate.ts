/**
 * Compose variable interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error},
 * ${VAR:+alt}, ${VAR+alt}, nested defaults (${A:-${B}}) and $$ for a literal $. Keys are never interpolated,
 * only string values (as Compose does).
 */
import { InputError } from '../errors.js';

export type Env = Record<string, string | undefined>;

export interface InterpolationSite {
  file: string;
  /** Dotted path of the value, e.g. services.api.ports.0 */
  field: string;
  line?: number;
}

export interface InterpolationContext {
  env: Env;
  /** Variables used but unset without a default (Compose warns and substitutes ""). */
  unset: Set<string>;
  /** Finds the line of a path lazily (only when an error is raised). */
  lineOf?: (path: (string | number)[]) => number | undefined;
  file: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Index of the `}` closing the `${` that starts at `open`, honouring nested `${…}`. */
function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '$') {
      i++;
    } else if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function expand(expr: string, env: Env, site: InterpolationSite, unset: Set<string>): string {
  const m = NAME.exec(expr);
  if (!m)
    throw new InputError(
      `invalid interpolation "\${${expr}}": expected a variable name`,
      site.file,
      site.field,
      site.line,
    );
  const name = m[0];
  const rest = expr.slice(name.length);
  const value = env[name];
  const isSet = value !== undefined;
  const nonEmpty = isSet && value !== '';
  const op = /^(:-|-|:\?|\?|:\+|\+)?/.exec(rest)![0];
  if (!op && rest) {
    throw new InputError(
      `invalid interpolation "\${${expr}}": unexpected "${rest}" after ${name}`,
      site.file,
      site.field,
      site.line,
    );
  }
  const arg = () => interpolateString(rest.slice(op.length), env, site, unset);
  switch (op) {
    case '':
      if (!isSet) unset.add(name);
      return value ?? '';
    case ':-':
      return nonEmpty ? value! : arg();
    case '-':
      return isSet ? value! : arg();
    case ':+':
      return nonEmpty ? arg() : '';
    case '+':
      return isSet ? arg() : '';
    default: {
      const ok = op === ':?' ? nonEmpty : isSet;
      if (ok) return value!;
      const msg = arg();
      throw new InputError(
        `required variable ${name} is ${isSet ? 'empty' : 'missing'}${msg ? `: ${msg}` : ''}`,
        site.file,
        site.field,
        site.line,
      );
    }
  }
}

/** Interpolate one string value. */
export function interpolateString(
  s: string,
  env: Env,
  site: InterpolationSite,
  unset = new Set<string>(),
): string {
  if (!s.includes('$')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '{') {
      const end = closingBrace(s, i);
      if (end < 0) throw new InputError(`unclosed "\${" in "${s}"`, site.file, site.field, site.line);
      out += expand(s.slice(i + 2, end), env, site, unset);
      i = end;
    } else {
      const m = NAME.exec(s.slice(i + 1));
      if (!m) {
        out += '$';
        continue;
      }
      if (env[m[0]] === undefined) unset.add(m[0]);
      out += env[m[0]] ?? '';
      i += m[0].length;
    }
  }
  return out;
}

/** Interpolate every string value of a parsed compose document (keys untouched). */
export function interpolateTree(
  value: unknown,
  ctx: InterpolationContext,
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    const site: InterpolationSite = {
      file: ctx.file,
      field: path.join('.'),
      get line() {
        return ctx.lineOf?.(path);
      },
    };
    return interpolateString(value, ctx.env, site, ctx.unset);
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateTree(v, ctx, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        interpolateTree(v, ctx, [...path, k]),
      ]),
    );
  }
  return value;
}

/** Escape literal `$` so that Compose, reading a rendered file, does not interpolate again. */
export function escapeDollars(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('$', '$$$$');
  if (Array.isArray(value)) return value.map(escapeDollars);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, escapeDollars(v)]),
    );
  }
  return value;
}
