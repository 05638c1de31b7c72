/**
 * A small model of how GitHub runs a workflow's job graph, to prove the pipeline's ordering guarantees on the
 * real file: a GitHub expression evaluator for the subset `if:` uses (literals, inputs.*, needs.*, ! && || == !=,
 * parentheses, success() failure() always() cancelled()), and a scheduler that applies GitHub's rules: a job
 * runs when its `if` (default `success()`, and `success() && …` when it calls no status function) is true; success() means every ancestor succeeded, failure() that
 * some ancestor failed (ancestors are transitive through `needs`).
 */
import { parse } from 'yaml';

export type Result = 'success' | 'failure' | 'skipped' | 'cancelled';
type Value = string | boolean | number | null | Record<string, unknown>;

export interface Job {
  needs: string[];
  if?: string;
  raw: Record<string, unknown>;
}

export function loadJobs(text: string): Record<string, Job> {
  const wf = parse(text) as { jobs: Record<string, Record<string, unknown>> };
  return Object.fromEntries(
    Object.entries(wf.jobs).map(([id, j]) => {
      const needs =
        j.needs === undefined ? [] : Array.isArray(j.needs) ? (j.needs as string[]) : [String(j.needs)];
      return [id, { needs, if: j.if === undefined ? undefined : String(j.if), raw: j }];
    }),
  );
}

export function ancestors(jobs: Record<string, Job>, id: string, seen = new Set<string>()): Set<string> {
  for (const n of jobs[id].needs) {
    if (!seen.has(n)) {
      seen.add(n);
      ancestors(jobs, n, seen);
    }
  }
  return seen;
}

// ---- expressions -------------------------------------------------------------------------------------------
const TOKEN =
  /\s*(?:(\|\||&&|==|!=|!|\(|\)|,)|'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)\b|([A-Za-z_][A-Za-z0-9_.-]*))/y;

interface Ctx {
  inputs: Record<string, Value>;
  needs: Record<string, { result: Result; outputs: Record<string, string> }>;
  status: { success: boolean; failure: boolean; cancelled: boolean };
}

export function evaluate(expression: string, ctx: Ctx): Value {
  const src = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const tokens: { op?: string; str?: string; num?: number; id?: string }[] = [];
  let pos = 0;
  for (;;) {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) break;
    pos = TOKEN.lastIndex;
    if (m[1]) tokens.push({ op: m[1] });
    else if (m[2] !== undefined) tokens.push({ str: m[2].replace(/''/g, "'") });
    else if (m[3]) tokens.push({ num: Number(m[3]) });
    else tokens.push({ id: m[4] });
  }
  if (src.slice(pos).trim()) throw new Error(`cannot parse "${src}" at "${src.slice(pos)}"`);
  let i = 0;
  const truthy = (v: Value): boolean => v !== '' && v !== false && v !== null && v !== 0;
  const loose = (v: Value): string => (v === null ? '' : String(v).toLowerCase());
  const peek = (op: string): boolean => tokens[i]?.op === op;
  const expect = (op: string): void => {
    if (!peek(op)) throw new Error(`expected ${op} in "${src}"`);
    i++;
  };
  function primary(): Value {
    const t = tokens[i++];
    if (!t) throw new Error(`unexpected end of "${src}"`);
    if (t.op === '!') return !truthy(primary());
    if (t.op === '(') {
      const v = or();
      expect(')');
      return v;
    }
    if (t.str !== undefined) return t.str;
    if (t.num !== undefined) return t.num;
    const id = t.id!;
    if (peek('(')) {
      i++;
      expect(')');
      if (id === 'success') return ctx.status.success;
      if (id === 'failure') return ctx.status.failure;
      if (id === 'cancelled') return ctx.status.cancelled;
      if (id === 'always') return true;
      throw new Error(`function ${id}() is not modelled`);
    }
    if (id === 'true' || id === 'false') return id === 'true';
    if (id === 'null') return null;
    const [root, ...path] = id.split('.');
    if (root === 'inputs') {
      if (!(path[0] in ctx.inputs)) throw new Error(`unknown input ${path[0]}`);
      return ctx.inputs[path[0]];
    }
    if (root === 'needs') {
      const n = ctx.needs[path[0]];
      if (!n) throw new Error(`needs.${path[0]} is not a dependency`);
      if (path[1] === 'result') return n.result;
      if (path[1] === 'outputs') return n.outputs[path[2]] ?? '';
    }
    throw new Error(`context ${id} is not modelled`);
  }
  function cmp(): Value {
    let v = primary();
    while (peek('==') || peek('!=')) {
      const op = tokens[i++].op;
      const r = primary();
      v = op === '==' ? loose(v) === loose(r) : loose(v) !== loose(r);
    }
    return v;
  }
  function and(): Value {
    let v = cmp();
    while (peek('&&')) {
      i++;
      const r = cmp();
      v = truthy(v) ? r : v;
    }
    return v;
  }
  function or(): Value {
    let v = and();
    while (peek('||')) {
      i++;
      const r = and();
      v = truthy(v) ? v : r;
    }
    return v;
  }
  const v = or();
  if (i !== tokens.length) throw new Error(`trailing tokens in "${src}"`);
  return v;
}

// ---- scheduling --------------------------------------------------------------------------------------------
export interface Scenario {
  inputs: Record<string, Value>;
  /** What a job that runs ends as (default success) and the outputs it sets (even when it fails). */
  outcome?: Record<string, { result?: 'success' | 'failure'; outputs?: Record<string, string> }>;
}

/** Topological run of the graph: each job's result under GitHub's rules. */
export function simulate(jobs: Record<string, Job>, s: Scenario): Record<string, Result> {
  const results: Record<string, Result> = {};
  const outputs: Record<string, Record<string, string>> = {};
  const pending = new Set(Object.keys(jobs));
  while (pending.size) {
    const ready = [...pending].filter((id) => jobs[id].needs.every((n) => n in results));
    if (!ready.length) throw new Error(`cycle among ${[...pending].join(', ')}`);
    for (const id of ready) {
      pending.delete(id);
      const anc = [...ancestors(jobs, id)];
      const ctx: Ctx = {
        inputs: s.inputs,
        needs: Object.fromEntries(
          jobs[id].needs.map((n) => [n, { result: results[n], outputs: outputs[n] ?? {} }]),
        ),
        status: {
          success: anc.every((a) => results[a] === 'success'),
          failure: anc.some((a) => results[a] === 'failure'),
          cancelled: false,
        },
      };
      // GitHub adds `success() &&` to a job condition that calls no status function.
      const cond = jobs[id].if;
      const runs =
        cond === undefined
          ? ctx.status.success
          : /\b(success|failure|always|cancelled)\(\)/.test(cond)
            ? evaluate(cond, ctx)
            : ctx.status.success && evaluate(cond, ctx);
      if (runs !== false && runs !== '' && runs !== null) {
        results[id] = s.outcome?.[id]?.result ?? 'success';
        outputs[id] = s.outcome?.[id]?.outputs ?? {};
      } else {
        results[id] = 'skipped';
      }
    }
  }
  return results;
}
