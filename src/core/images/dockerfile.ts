/**
 * What the build plan needs from a Dockerfile: its instructions with line numbers (continuations joined),
 * the base images of each stage after ARG substitution, and the line of a step named in a build log.
 */
export interface Instruction {
  /** 1-based line where the instruction starts. */
  line: number;
  keyword: string;
  /** Arguments, continuation lines joined by a space. */
  args: string;
}

export function parseDockerfile(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  const out: Instruction[] = [];
  let escape = '\\';
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i];
    const directive = /^#\s*escape\s*=\s*(\S)/i.exec(first);
    if (directive && !out.length) escape = directive[1];
    if (/^\s*(#|$)/.test(first)) continue;
    const start = i + 1;
    let joined = first;
    while (joined.trimEnd().endsWith(escape) && i + 1 < lines.length) {
      joined = joined.trimEnd().slice(0, -1).trimEnd();
      i++;
      if (/^\s*#/.test(lines[i])) continue;
      joined += ' ' + lines[i].trim();
    }
    const m = /^\s*(\S+)\s*(.*)$/.exec(joined);
    if (m) out.push({ line: start, keyword: m[1].toUpperCase(), args: m[2].trim() });
  }
  return out;
}

function substitute(s: string, vars: Record<string, string | undefined>): string {
  return s.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_m, a, d, b) => {
      const v = vars[a ?? b];
      return v !== undefined && v !== '' ? v : (d ?? '');
    },
  );
}

export interface Stage {
  /** The base as written after ARG substitution, e.g. erp-deploy/python:offline, or a previous stage's name. */
  base: string;
  name?: string;
  line: number;
  /** True when the base is an earlier stage of the same Dockerfile (no image to resolve). */
  fromStage: boolean;
}

/** The stages with their resolved bases; global ARGs take the build args first, then their defaults. */
export function stagesOf(instructions: Instruction[], buildArgs: Record<string, string>): Stage[] {
  const globals: Record<string, string | undefined> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'ARG' && !stages.length) {
      for (const decl of ins.args.split(/\s+/)) {
        const [k, ...rest] = decl.split('=');
        globals[k] = buildArgs[k] ?? (rest.length ? rest.join('=').replace(/^["']|["']$/g, '') : undefined);
      }
    } else if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const base = substitute(words[0] ?? '', globals);
      const name = words[1]?.toUpperCase() === 'AS' ? words[2] : undefined;
      const fromStage =
        stages.some((s) => s.name && s.name.toLowerCase() === base.toLowerCase()) || base === 'scratch';
      stages.push({ base, name, line: ins.line, fromStage });
    }
  }
  return stages;
}

/** The external base images (not stages, not scratch) a Dockerfile builds from. */
export function externalBases(instructions: Instruction[], buildArgs: Record<string, string>): string[] {
  return [
    ...new Set(
      stagesOf(instructions, buildArgs)
        .filter((s) => !s.fromStage)
        .map((s) => s.base),
    ),
  ];
}

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

/**
 * The failing step from a build log: BuildKit's ` > [stage 3/5] RUN make:` or `Dockerfile:12` lines, or the
 * legacy builder's `Step 3/5 : RUN make` (the last one started). Returns the step text and its Dockerfile line.
 */
export function failingStep(
  log: string,
  instructions: Instruction[],
): { step: string; line?: number } | undefined {
  const direct = [...log.matchAll(/^\s*Dockerfile(?:\.\S+)?:(\d+)\s*$/gm)].pop();
  const bk = [...log.matchAll(/^\s*> \[(?:[^\]]*?\s)?\d+\/\d+\] (.+?):?\s*$/gm)].pop();
  const legacy = [...log.matchAll(/^Step \d+\/\d+ : (.+)$/gm)].pop();
  const step = (bk ?? legacy)?.[1];
  if (!step && !direct) return undefined;
  if (direct) return { step: step ?? '', line: Number(direct[1]) };
  const wanted = norm(step!);
  const hit =
    instructions.find((i) => norm(`${i.keyword} ${i.args}`) === wanted) ??
    instructions.find((i) => wanted.startsWith(norm(`${i.keyword} ${i.args}`).slice(0, 40)));
  return { step: step!, line: hit?.line };
}
