/**
 * Read and check a gates file before any measurement: YAML, schema (unknown keys), durations, PromQL (Prometheus'
 * lezer grammar, with the error's column), $variables and conditions. Every problem names file, gate and field.
 */
import { readFileSync, existsSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { parseDocument, LineCounter } from 'yaml';
import { InputError } from '../errors.js';
import { parseDuration } from '../duration.js';
import { lineOf } from '../config/load.js';
import validateSchema from './validate-gates.generated.js';
import { checkPromql, substitute, variablesOf, BUILTIN_VARIABLES } from './promql.js';
import { ConditionSyntaxError, namesOf, parseCondition } from './condition.js';
import type { GateSpec, GatesFile, NoDataPolicy } from './types.js';

/** Argo Rollouts' defaults, plus ours for what Argo does not have. */
export const GATE_DEFAULTS = {
  interval: '30s',
  count: 1,
  initialDelay: '0s',
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  errorRetryInterval: '10s',
  timeout: '30s',
  noData: 'fail' as NoDataPolicy,
  multiple: false,
};

type RawGate = Record<string, unknown> & { name: string; query: string };
interface RawFile {
  version: 1;
  variables?: Record<string, string | number>;
  defaults?: Record<string, unknown>;
  gates: RawGate[];
}

function schemaProblem(e: ErrorObject): { path: string[]; message: string } {
  const path = e.instancePath.split('/').filter(Boolean);
  if (e.keyword === 'additionalProperties') {
    path.push((e.params as { additionalProperty: string }).additionalProperty);
    const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    return { path, message: `unknown key; expected one of ${known.join(', ')}` };
  }
  if (e.keyword === 'enum')
    return {
      path,
      message: `expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`,
    };
  if (e.keyword === 'pattern' && path.some((p) => /interval|delay|timeout|offset/i.test(p)))
    return { path, message: 'invalid duration: expected e.g. 500ms, 30s, 5m, 1h30m' };
  return { path, message: e.message ?? 'is invalid' };
}

/** "gate api-error-ratio: interval" for gates[3].interval, so messages name the gate, not an index. */
function fieldName(raw: Partial<RawFile>, path: string[]): string {
  if (path[0] === 'gates' && path.length > 1) {
    const g = raw.gates?.[Number(path[1])];
    const who = g && typeof g.name === 'string' ? `gate ${g.name}` : `gates[${path[1]}]`;
    return path.length > 2 ? `${who}: ${path.slice(2).join('.')}` : who;
  }
  return path.join('.') || '(top level)';
}

const ms = (v: unknown): number => parseDuration(v as string) ?? NaN;

function toGate(raw: RawGate, defaults: Record<string, unknown>, line: number | undefined): GateSpec {
  const get = <T>(k: keyof typeof GATE_DEFAULTS): T => (raw[k] ?? defaults[k] ?? GATE_DEFAULTS[k]) as T;
  const conditions = [raw.successCondition, raw.failureCondition].filter(
    (c): c is string => typeof c === 'string',
  );
  const mentions = (re: RegExp): boolean => conditions.some((c) => re.test(c));
  // A condition that asks about NaN or an empty answer handles it, unless the gate set a policy (Argo's rule).
  const nonFinite = (raw.nonFinite ??
    defaults.nonFinite ??
    (mentions(/\bis(NaN|Inf|Finite)\s*\(/) ? 'evaluate' : 'error')) as NoDataPolicy;
  const b = raw.baseline as { query?: string; offset?: string; noData?: string } | undefined;
  return {
    name: raw.name,
    description: (raw.description as string) ?? '',
    query: raw.query,
    successCondition: raw.successCondition as string | undefined,
    failureCondition: raw.failureCondition as string | undefined,
    intervalMs: ms(get('interval')),
    count: get('count'),
    initialDelayMs: ms(get('initialDelay')),
    failureLimit: get('failureLimit'),
    inconclusiveLimit: get('inconclusiveLimit'),
    consecutiveErrorLimit: get('consecutiveErrorLimit'),
    errorRetryIntervalMs: ms(get('errorRetryInterval')),
    timeoutMs: ms(get('timeout')),
    noData: get('noData'),
    nonFinite,
    multiple: get('multiple'),
    baseline: b
      ? {
          query: b.query,
          offsetMs: b.offset ? ms(b.offset) : 600_000,
          noData: (b.noData ?? 'inconclusive') as Exclude<NoDataPolicy, 'evaluate'>,
        }
      : undefined,
    line,
  };
}

/** Parse a gates file's text; throws InputError on the first problem (schema first, then validateGates). */
export function parseGatesFile(text: string, file: string): GatesFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new InputError(`not valid YAML: ${e.message.split('\n')[0]}`, file, undefined, e.linePos?.[0].line);
  }
  const raw = doc.toJS() as RawFile;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new InputError('expected a mapping at the top', file);
  if (!validateSchema(raw)) {
    const problems = (validateSchema.errors ?? []).map(schemaProblem);
    const first = problems[0];
    const line = lineOf(doc, lc, first.path);
    throw new InputError(
      `${first.message}${line ? ` (line ${line})` : ''}`,
      file,
      fieldName(raw, first.path),
      line,
    );
  }
  const gatesFile: GatesFile = {
    file,
    variables: Object.fromEntries(Object.entries(raw.variables ?? {}).map(([k, v]) => [k, String(v)])),
    gates: raw.gates.map((g, i) => {
      const gate = toGate(g, raw.defaults ?? {}, lineOf(doc, lc, ['gates', i]));
      gate.fieldLines = Object.fromEntries(
        Object.keys(g).map((k) => [k, lineOf(doc, lc, ['gates', i, k]) ?? gate.line ?? 0]),
      );
      return gate;
    }),
  };
  const problems = validateGates(gatesFile);
  if (problems.length) throw problems[0];
  return gatesFile;
}

export function loadGatesFile(path: string): GatesFile {
  if (!existsSync(path))
    throw new InputError('gates file not found (set gates.file or the gates-file input)', path);
  return parseGatesFile(readFileSync(path, 'utf8'), path);
}

/**
 * Every problem of a gates file (empty when it is sound): names, durations, limits, $variables, PromQL syntax,
 * conditions. `variables` adds names the caller will provide besides the built-ins and the file's own.
 */
export function validateGates(gates: GatesFile, opts: { variables?: string[] } = {}): InputError[] {
  const problems: InputError[] = [];
  const known = new Set<string>([
    ...BUILTIN_VARIABLES,
    ...Object.keys(gates.variables),
    ...(opts.variables ?? []),
  ]);
  const seen = new Set<string>();
  // Values the caller fills in later become same-length placeholders, so error columns match the query as written.
  const placeholders = Object.fromEntries(
    [...known].map((k) => [k, gates.variables[k] ?? 'x'.repeat(k.length + 1)]),
  );
  for (const g of gates.gates) {
    const problem = (field: string, message: string): void => {
      const line = g.fieldLines?.[field] ?? g.line;
      problems.push(
        new InputError(
          `${message}${line ? ` (line ${line})` : ''}`,
          gates.file,
          `gate ${g.name}: ${field}`,
          line,
        ),
      );
    };
    if (seen.has(g.name)) problem('name', 'duplicate gate name; names must be unique');
    seen.add(g.name);
    for (const [field, v] of [
      ['interval', g.intervalMs],
      ['initialDelay', g.initialDelayMs],
      ['errorRetryInterval', g.errorRetryIntervalMs],
      ['timeout', g.timeoutMs],
    ] as const) {
      if (!Number.isFinite(v) || v < 0)
        problem(field, 'invalid duration: expected e.g. 500ms, 30s, 5m, 1h30m');
    }
    if (g.baseline && !Number.isFinite(g.baseline.offsetMs)) problem('baseline', 'invalid offset duration');
    if (g.timeoutMs === 0) problem('timeout', 'must be more than 0');
    if (!g.successCondition && !g.failureCondition)
      problem('successCondition', 'a gate needs a successCondition, a failureCondition or both');
    const queries: [string, string][] = [['query', g.query]];
    if (g.baseline?.query) queries.push(['baseline', g.baseline.query]);
    for (const [field, q] of queries) {
      const unknown = variablesOf(q).filter((v) => !known.has(v));
      if (unknown.length) {
        problem(
          field,
          `unknown variable $${unknown[0]} (expected one of ${[...known].map((k) => '$' + k).join(', ')})`,
        );
        continue;
      }
      const bad = checkPromql(substitute(q, placeholders));
      if (bad) problem(field, `invalid PromQL at column ${bad.column}: ${bad.message}`);
    }
    for (const field of ['successCondition', 'failureCondition'] as const) {
      const c = g[field];
      if (c === undefined) continue;
      try {
        const names = namesOf(parseCondition(c));
        if (names.has('baseline') && !g.baseline)
          problem(field, 'uses "baseline" but the gate has no baseline: block');
      } catch (e) {
        if (!(e instanceof ConditionSyntaxError)) throw e;
        problem(field, `invalid condition: ${e.message}`);
      }
    }
  }
  if (!gates.gates.length)
    problems.push(new InputError('no gates: add at least one under gates:', gates.file, 'gates'));
  return problems;
}
