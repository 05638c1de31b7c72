/**
 * A Dockerfile split into stages for the lint rules, on top of the build plan's instruction reader
 * (src/core/images/dockerfile.ts); comments are kept for justifications ("# healthcheck: why").
 */
import { parseDockerfile as instructionsOf, type Instruction } from '../images/dockerfile.js';

export type { Instruction };

export interface Stage {
  from: Instruction;
  image: string;
  alias?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM (usable in FROM lines). */
  globalArgs: Instruction[];
  stages: Stage[];
  /** Every comment line in the file (without the #), with its line. */
  comments: { line: number; text: string }[];
}

export function parseDockerfile(text: string): Dockerfile {
  const comments = text
    .split(/\r?\n/)
    .map((l, i) => ({ line: i + 1, raw: l.trim() }))
    .filter((c) => c.raw.startsWith('#'))
    .map((c) => ({ line: c.line, text: c.raw.slice(1).trim() }));
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of instructionsOf(text)) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const asAt = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({
        from: ins,
        image: words[0] ?? '',
        alias: asAt > 0 ? words[asAt + 1] : undefined,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (ins.keyword === 'ARG') globalArgs.push(ins);
    } else stages[stages.length - 1].instructions.push(ins);
  }
  return { globalArgs, stages, comments };
}

/** `ARG A=1 B` / `ENV A=1 B=2` / legacy `ENV A 1`: name → value (undefined when no value is given). */
export function keyValues(ins: Instruction): { name: string; value?: string }[] {
  const args = ins.args;
  if (ins.keyword === 'ENV' && !/^[^\s=]+=/.test(args)) {
    const m = /^(\S+)\s+(.*)$/s.exec(args);
    return m ? [{ name: m[1], value: m[2] }] : [{ name: args }];
  }
  const out: { name: string; value?: string }[] = [];
  const re = /([^\s=]+)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g;
  for (let m = re.exec(args); m; m = re.exec(args)) {
    const v = m[2];
    out.push({ name: m[1], value: v === undefined ? undefined : v.replace(/^(["'])(.*)\1$/s, '$2') });
  }
  return out;
}

/** Expand ${NAME}, ${NAME:-x} and $NAME with the given values (unknown names stay as they are). */
export function expandArgs(text: string, values: Record<string, string | undefined>): string {
  return text.replace(/\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (whole, a: string, def: string, b: string) => {
    const name = a ?? b;
    const v = values[name];
    if (v !== undefined && v !== '') return v;
    return def !== undefined ? def : whole;
  });
}
