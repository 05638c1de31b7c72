/**
 * Run one gate over time: initialDelay, then a measurement every `interval` (errors retried every
 * errorRetryInterval) until assess() decides — fail fast — or the deadline makes a verdict impossible.
 * Pure apart from what it is given: the provider answers queries, the clock tells time and sleeps.
 */
import type { Clock } from './clock.js';
import type { QueryProvider } from './prometheus.js';
import { addToTally, assess, emptyTally, judge, parseConditions } from './judge.js';
import type { GateResult, GateSpec, Measurement, Sample } from './types.js';

export interface BaselineSource {
  provider: QueryProvider;
  query: string;
  /** Evaluate the baseline this long before each measurement (0: at the same time, e.g. another environment). */
  offsetMs: number;
}

export interface GateRun {
  provider: QueryProvider;
  /** The gate's query with its variables substituted. */
  query: string;
  baseline?: BaselineSource;
  clock: Clock;
  /** Absolute time (clock ms) by which the gate must have its verdict. */
  deadlineAt: number;
  /** Aborted when the run's verdict is already decided elsewhere (another gate failed). */
  signal?: AbortSignal;
  onMeasurement?: (gate: GateSpec, m: Measurement) => void;
}

/**
 * Promise.all(ps), or a rejection as soon as the signal aborts: a measurement the run no longer needs ends at
 * once, whether or not the HTTP client notices the abort (the query itself is cancelled through the same signal).
 */
function untilAborted<T extends readonly unknown[]>(
  signal: AbortSignal | undefined,
  ps: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const all = Promise.all(ps);
  if (!signal) return all;
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new Error('query cancelled'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([all, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

async function measure(
  gate: GateSpec,
  run: GateRun,
  parsed: ReturnType<typeof parseConditions>,
): Promise<Measurement> {
  const at = run.clock.now();
  const timeoutMs = Math.max(1, Math.min(gate.timeoutMs, run.deadlineAt - at));
  let samples: Sample[] = [];
  try {
    const [current, base] = await untilAborted(run.signal, [
      run.provider.query(run.query, { timeoutMs, signal: run.signal }),
      run.baseline
        ? run.baseline.provider.query(run.baseline.query, {
            timeoutMs,
            signal: run.signal,
            at: run.baseline.offsetMs ? at - run.baseline.offsetMs : undefined,
          })
        : Promise.resolve(undefined),
    ] as const);
    samples = current;
    const v = judge(gate, parsed, current, base);
    return { at, phase: v.phase, value: v.value, values: current, baseline: v.baseline, message: v.message };
  } catch (e) {
    return { at, phase: 'Error', values: samples, message: (e as Error).message };
  }
}

export async function evaluateGate(gate: GateSpec, run: GateRun): Promise<GateResult> {
  const parsed = parseConditions(gate);
  const startedAt = run.clock.now();
  const measurements: Measurement[] = [];
  let tally = emptyTally();
  const done = (phase: GateResult['phase'], message: string): GateResult => ({
    name: gate.name,
    phase,
    message,
    query: run.query,
    successCondition: gate.successCondition,
    failureCondition: gate.failureCondition,
    measurements,
    startedAt,
    finishedAt: run.clock.now(),
    counts: tally.counts,
  });
  const pending = (): string => {
    const taken = tally.counts.Successful + tally.counts.Failed + tally.counts.Inconclusive;
    return `${taken} of ${gate.count} measurement(s) taken`;
  };
  const wait = async (ms: number): Promise<GateResult | undefined> => {
    if (run.clock.now() + ms > run.deadlineAt)
      return done(
        'Error',
        `the deadline comes before the next measurement is due: ${pending()} — no verdict`,
      );
    await run.clock.sleep(ms, run.signal);
    return run.signal?.aborted
      ? done('Skipped', `stopped: the run's verdict was already decided (${pending()})`)
      : undefined;
  };

  if (gate.initialDelayMs > 0) {
    const stop = await wait(gate.initialDelayMs);
    if (stop) return stop;
  }
  for (;;) {
    if (run.signal?.aborted)
      return done('Skipped', `stopped: the run's verdict was already decided (${pending()})`);
    const m = await measure(gate, run, parsed);
    if (run.signal?.aborted && m.phase === 'Error')
      return done('Skipped', `stopped: the run's verdict was already decided (${pending()})`);
    measurements.push(m);
    tally = addToTally(tally, m.phase);
    run.onMeasurement?.(gate, m);
    const decided = assess(gate, tally);
    if (decided) return done(decided.phase, decided.message);
    const next = m.at + (m.phase === 'Error' ? gate.errorRetryIntervalMs : gate.intervalMs);
    const stop = await wait(Math.max(0, next - run.clock.now()));
    if (stop) return stop;
  }
}
