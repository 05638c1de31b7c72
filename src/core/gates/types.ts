/** The gate model: a gates file, one gate's spec, measurements and verdicts (Argo Rollouts' analysis vocabulary). */

/** What a measurement, a gate or a whole run ended as. */
export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
export type GatePhase = MeasurementPhase | 'Skipped';
export type Verdict = 'passed' | 'failed' | 'inconclusive' | 'error';

/** What to do with an empty result (no series). `evaluate` hands it to the conditions (len(results) == 0). */
export type NoDataPolicy = 'fail' | 'inconclusive' | 'pass' | 'error' | 'evaluate';
/** What to do with NaN or ±Inf. `evaluate` hands it to the conditions (isNaN(result)). */
export type NonFinitePolicy = NoDataPolicy;

export interface BaselineSpec {
  /** Query for the baseline; defaults to the gate's query. */
  query?: string;
  /** With `--baseline previous`: evaluate the baseline this long before now (default 10m: before the deploy). */
  offsetMs: number;
  /** When the baseline has no data. Default inconclusive: nothing to compare against is not a pass. */
  noData: Exclude<NoDataPolicy, 'evaluate'>;
}

export interface GateSpec {
  name: string;
  description: string;
  /** PromQL with $variables. */
  query: string;
  successCondition?: string;
  failureCondition?: string;
  intervalMs: number;
  count: number;
  initialDelayMs: number;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  errorRetryIntervalMs: number;
  timeoutMs: number;
  noData: NoDataPolicy;
  nonFinite: NonFinitePolicy;
  /** false (default): the query must return one value; several series are an Error. */
  multiple: boolean;
  baseline?: BaselineSpec;
  /** 1-based line of the gate and of each field in its file (for messages). */
  line?: number;
  fieldLines?: Record<string, number>;
}

export interface GatesFile {
  file: string;
  variables: Record<string, string>;
  gates: GateSpec[];
}

/** One series of a query's answer. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Measurement {
  /** ms since the epoch (the clock's). */
  at: number;
  phase: MeasurementPhase;
  /** The single value (or the first series' value when `multiple`), when there is one. */
  value?: number;
  values: Sample[];
  baseline?: number;
  /** Why: the condition that decided, the policy that applied, or the error. */
  message: string;
}

export interface GateResult {
  name: string;
  phase: GatePhase;
  message: string;
  query: string;
  successCondition?: string;
  failureCondition?: string;
  measurements: Measurement[];
  startedAt: number;
  finishedAt: number;
  counts: Record<MeasurementPhase, number>;
}
