/**
 * Pure judgement, Argo Rollouts' rules: one measurement's phase from its samples and the conditions, and a gate's
 * phase from its measurement counts and limits. No I/O, no clock: the table tests drive these directly.
 */
import { ConditionEvalError, evaluateCondition, parseCondition, type Node, type Scope } from './condition.js';
import type { GatePhase, GateSpec, MeasurementPhase, NoDataPolicy, Sample } from './types.js';

export interface Verdict1 {
  phase: MeasurementPhase;
  message: string;
  value?: number;
  baseline?: number;
}

export interface ParsedConditions {
  success?: Node;
  failure?: Node;
}

export function parseConditions(
  gate: Pick<GateSpec, 'successCondition' | 'failureCondition'>,
): ParsedConditions {
  return {
    success: gate.successCondition !== undefined ? parseCondition(gate.successCondition) : undefined,
    failure: gate.failureCondition !== undefined ? parseCondition(gate.failureCondition) : undefined,
  };
}

const POLICY_PHASE: Record<Exclude<NoDataPolicy, 'evaluate'>, MeasurementPhase> = {
  fail: 'Failed',
  inconclusive: 'Inconclusive',
  pass: 'Successful',
  error: 'Error',
};

const fmt = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v));
const labelsOf = (s: Sample): string =>
  '{' +
  Object.entries(s.labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',') +
  '}';

/** Argo's combination rule: success only, failure only, or both (neither true → Inconclusive). */
export function applyConditions(
  gate: Pick<GateSpec, 'successCondition' | 'failureCondition'>,
  parsed: ParsedConditions,
  scope: Scope,
): { phase: MeasurementPhase; message: string } {
  try {
    const failed = parsed.failure ? evaluateCondition(parsed.failure, scope) : undefined;
    if (failed) return { phase: 'Failed', message: `failureCondition true: ${gate.failureCondition}` };
    const ok = parsed.success ? evaluateCondition(parsed.success, scope) : undefined;
    if (ok === true)
      return { phase: 'Successful', message: `successCondition true: ${gate.successCondition}` };
    if (ok === false && failed === undefined)
      return { phase: 'Failed', message: `successCondition false: ${gate.successCondition}` };
    if (ok === undefined)
      return { phase: 'Successful', message: `failureCondition false: ${gate.failureCondition}` };
    return { phase: 'Inconclusive', message: 'neither successCondition nor failureCondition is true' };
  } catch (e) {
    if (e instanceof ConditionEvalError) return { phase: 'Error', message: `condition: ${e.message}` };
    throw e;
  }
}

/** One value out of a query's samples, or the reason there is none (several series, no data). */
function single(samples: Sample[], multiple: boolean): number | string | undefined {
  if (samples.length === 1) return samples[0].value;
  if (samples.length > 1 && !multiple)
    return `${samples.length} series where one value is expected (${samples.slice(0, 3).map(labelsOf).join(', ')}${samples.length > 3 ? ', …' : ''}); aggregate the query (sum, max) or set multiple: true`;
  return undefined;
}

/** Judge one measurement. `baseline` is undefined when the gate has none or the run compares to none. */
export function judge(
  gate: GateSpec,
  parsed: ParsedConditions,
  samples: Sample[],
  baseline?: Sample[],
): Verdict1 {
  const one = single(samples, gate.multiple);
  if (typeof one === 'string') return { phase: 'Error', message: one };
  const values = samples.map((s) => s.value);
  const scope: Scope = { results: values, result: one };
  if (!samples.length && gate.noData !== 'evaluate')
    return {
      phase: POLICY_PHASE[gate.noData],
      message: `no data (empty result): noData policy "${gate.noData}"`,
    };
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined && gate.nonFinite !== 'evaluate')
    return {
      phase: POLICY_PHASE[gate.nonFinite],
      value: one,
      message: `value is ${bad}: nonFinite policy "${gate.nonFinite}"`,
    };
  if (baseline && gate.baseline) {
    const b = single(baseline, false);
    if (typeof b === 'string') return { phase: 'Error', value: one, message: `baseline: ${b}` };
    // A NaN baseline is a ratio over no traffic (0/0): there is nothing to compare with, as with no data.
    if (b === undefined || Number.isNaN(b))
      return {
        phase: POLICY_PHASE[gate.baseline.noData],
        value: one,
        message: `baseline has no ${b === undefined ? 'data' : 'traffic (NaN)'}: baseline noData policy "${gate.baseline.noData}"`,
      };
    if (!Number.isFinite(b) && gate.nonFinite !== 'evaluate')
      return {
        phase: POLICY_PHASE[gate.nonFinite],
        value: one,
        baseline: b,
        message: `baseline is ${b}: nonFinite policy "${gate.nonFinite}"`,
      };
    scope.baseline = b;
  }
  const decided = applyConditions(gate, parsed, scope);
  const shown = one !== undefined ? fmt(one) : `[${values.map(fmt).join(', ')}]`;
  return {
    ...decided,
    value: one,
    baseline: scope.baseline as number | undefined,
    message: `${shown}${scope.baseline !== undefined ? ` (baseline ${fmt(scope.baseline as number)})` : ''} → ${decided.message}`,
  };
}

export interface Tally {
  counts: Record<MeasurementPhase, number>;
  consecutiveErrors: number;
}

export function emptyTally(): Tally {
  return { counts: { Successful: 0, Failed: 0, Inconclusive: 0, Error: 0 }, consecutiveErrors: 0 };
}

export function addToTally(t: Tally, phase: MeasurementPhase): Tally {
  return {
    counts: { ...t.counts, [phase]: t.counts[phase] + 1 },
    consecutiveErrors: phase === 'Error' ? t.consecutiveErrors + 1 : 0,
  };
}

/**
 * A gate's phase from its tally, or undefined while it must keep measuring. Limits are exceeded when the count
 * is MORE than the limit (Argo). Errors do not count towards `count`: they are retried, so a gate whose queries
 * keep failing ends in Error (consecutiveErrorLimit) or at the deadline — never Successful.
 */
export function assess(
  gate: Pick<GateSpec, 'count' | 'failureLimit' | 'inconclusiveLimit' | 'consecutiveErrorLimit'>,
  t: Tally,
): { phase: GatePhase; message: string } | undefined {
  const c = t.counts;
  if (c.Failed > gate.failureLimit)
    return {
      phase: 'Failed',
      message: `${c.Failed} failed measurement(s), more than failureLimit ${gate.failureLimit}`,
    };
  if (c.Inconclusive > gate.inconclusiveLimit)
    return {
      phase: 'Inconclusive',
      message: `${c.Inconclusive} inconclusive measurement(s), more than inconclusiveLimit ${gate.inconclusiveLimit}`,
    };
  if (t.consecutiveErrors > gate.consecutiveErrorLimit)
    return {
      phase: 'Error',
      message: `${t.consecutiveErrors} consecutive errors, more than consecutiveErrorLimit ${gate.consecutiveErrorLimit}`,
    };
  const taken = c.Successful + c.Failed + c.Inconclusive;
  if (taken >= gate.count)
    return {
      phase: 'Successful',
      message: `${taken} measurement(s) within limits (${c.Successful} successful)`,
    };
  return undefined;
}
