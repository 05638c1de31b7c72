/**
 * runChecks: the whole smoke check of one environment — HTTP probes and Prometheus gates, concurrently — with an
 * overall deadline and fail fast (a failed probe or gate stops the others: the verdict cannot change any more).
 * Everything that can be wrong with the input is found before the first measurement.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { InputError } from '../errors.js';
import { formatDuration, parseDuration } from '../duration.js';
import { environmentOf, projectPath } from '../config/load.js';
import type { ProjectConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { realClock, type Clock } from './clock.js';
import { evaluateGate, type BaselineSource } from './evaluate.js';
import { loadGatesFile } from './load.js';
import { PrometheusProvider, type QueryProvider } from './prometheus.js';
import { probeUnfinished, runProbes, type ProbeResult } from './probes.js';
import { addToTally, emptyTally } from './judge.js';
import { substitute, variablesOf } from './promql.js';
import type { GateResult, GateSpec, GatesFile, Measurement, Verdict } from './types.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderHtml } from '../report/html.js';

export interface CheckOptions {
  config: ProjectConfig;
  environment: string;
  /** Gates file (relative to the configuration's directory); default config.gates.file. */
  gatesFile?: string;
  prometheusUrl?: string;
  /** Base URL of the probes; default the environment's url. */
  url?: string;
  /** none (default) | previous | the name of another environment (its Prometheus is the baseline). */
  baseline?: string;
  release?: string;
  baselineRelease?: string;
  /** Overall deadline, e.g. 10m; default config.gates.deadline. */
  deadline?: string;
  probesOnly?: boolean;
  /** Directory of the HTML report; default a fresh temporary directory. */
  reportDir?: string;
  logger: Logger;
  clock?: Clock;
  /** Makes a provider for a Prometheus URL (tests may pass their own). */
  providerFor?: (url: string) => QueryProvider;
  /** Every measurement as it is taken (the CLI prints progress). */
  onMeasurement?: (gate: GateSpec, m: Measurement) => void;
  onProbe?: (p: ProbeResult) => void;
}

export interface CheckResult {
  verdict: Verdict;
  environment: string;
  gates: GateResult[];
  probes: ProbeResult[];
  failedGates: string[];
  markdown: string;
  htmlPath: string;
  startedAt: number;
  finishedAt: number;
}

/** Everything resolved and checked before the first measurement. */
interface Plan {
  gatesFile?: GatesFile;
  deadlineMs: number;
  prometheusUrl: string;
  baseUrl: string;
  baseline:
    { mode: 'none' } | { mode: 'previous' } | { mode: 'environment'; name: string; prometheusUrl: string };
  variables: Record<string, string>;
  baselineVariables: Record<string, string>;
}

function plan(o: CheckOptions): Plan {
  const env = environmentOf(o.config, o.environment);
  const deadlineText = o.deadline ?? o.config.gates.deadline;
  const deadlineMs = parseDuration(deadlineText);
  if (deadlineMs === undefined || deadlineMs <= 0)
    throw new InputError(`invalid duration "${deadlineText}": expected e.g. 90s, 10m`, undefined, 'deadline');
  const b = (o.baseline ?? 'none').trim() || 'none';
  let baseline: Plan['baseline'] = { mode: 'none' };
  if (b === 'previous') baseline = { mode: 'previous' };
  else if (b !== 'none') {
    if (b === o.environment)
      throw new InputError(`cannot be the environment being checked (${b})`, undefined, 'baseline');
    const other = o.config.environments[b];
    if (!other)
      throw new InputError(
        `expected none, previous or an environment (${Object.keys(o.config.environments).join(', ')}), got "${b}"`,
        undefined,
        'baseline',
      );
    baseline = { mode: 'environment', name: b, prometheusUrl: other.prometheusUrl };
  }
  const base = {
    environment: o.environment,
    project: o.config.project,
    release: o.release ?? '',
    baseline_release: o.baselineRelease ?? '',
  };
  const gatesFile = o.probesOnly
    ? undefined
    : loadGatesFile(projectPath(o.config, o.gatesFile ?? o.config.gates.file));
  const variables = { ...(gatesFile?.variables ?? {}), ...base };
  const baselineVariables = {
    ...variables,
    ...(baseline.mode === 'environment' ? { environment: baseline.name } : {}),
    ...(baseline.mode === 'previous' ? { release: base.baseline_release } : {}),
  };
  for (const g of gatesFile?.gates ?? []) {
    const where = (field: string): [string, string, number | undefined] => [
      gatesFile!.file,
      `gate ${g.name}: ${field}`,
      g.line,
    ];
    const need = g.initialDelayMs + (g.count - 1) * g.intervalMs;
    if (need > deadlineMs)
      throw new InputError(
        `needs ${formatDuration(need)} (initialDelay + (count-1) × interval) but the deadline is ${formatDuration(deadlineMs)}`,
        ...where('count'),
      );
    const uses = (q: string, v: string): boolean => variablesOf(q).includes(v);
    for (const v of ['release', 'baseline_release'] as const) {
      if (uses(g.query, v) && !base[v])
        throw new InputError(`uses $${v} but no ${v.replace('_', '-')} was given`, ...where('query'));
    }
    if (
      g.baseline &&
      baseline.mode === 'previous' &&
      uses(g.baseline.query ?? g.query, 'release') &&
      !base.baseline_release
    )
      throw new InputError(
        'compares with the previous release by $release but no baseline-release was given',
        ...where('baseline'),
      );
  }
  return {
    gatesFile,
    deadlineMs,
    prometheusUrl: o.prometheusUrl ?? env.prometheusUrl,
    baseUrl: o.url ?? env.url,
    baseline,
    variables,
    baselineVariables,
  };
}

export function verdictOf(gates: GateResult[], probes: ProbeResult[]): Verdict {
  if (probes.some((p) => !p.ok) || gates.some((g) => g.phase === 'Failed')) return 'failed';
  if (gates.some((g) => g.phase === 'Error')) return 'error';
  if (gates.some((g) => g.phase === 'Inconclusive')) return 'inconclusive';
  // Nothing judged (every gate skipped, or no gate and no probe) is not a pass.
  if (gates.length ? !gates.some((g) => g.phase === 'Successful') : !probes.length) return 'inconclusive';
  return 'passed';
}

function baselineFor(
  g: GateSpec,
  p: Plan,
  providerFor: (url: string) => QueryProvider,
): BaselineSource | undefined {
  if (!g.baseline || p.baseline.mode === 'none') return undefined;
  const query = substitute(g.baseline.query ?? g.query, p.baselineVariables);
  if (p.baseline.mode === 'previous')
    return { provider: providerFor(p.prometheusUrl), query, offsetMs: g.baseline.offsetMs };
  return { provider: providerFor(p.baseline.prometheusUrl), query, offsetMs: 0 };
}

/** How long past the deadline a gate or probe may take before it is given up (its own timeouts should end it). */
export const DEADLINE_GRACE_MS = 15_000;

/**
 * p, or fallback() once the clock reaches `at` — whichever comes first. The wait is a real timer, so a promise
 * that can never settle (a lost callback in a library) ends as a visible error by the deadline instead of letting
 * the process run out of work and exit without a verdict.
 */
async function settleBy<T>(p: Promise<T>, at: number, clock: Clock, fallback: () => T): Promise<T> {
  const cancel = new AbortController();
  const deadline = clock.sleep(Math.max(0, at - clock.now()), cancel.signal).then(() => fallback);
  try {
    const first = await Promise.race([p.then((v) => () => v), deadline]);
    return first();
  } finally {
    cancel.abort();
  }
}

export async function runChecks(o: CheckOptions): Promise<CheckResult> {
  const p = plan(o);
  const clock = o.clock ?? realClock;
  const providerFor = o.providerFor ?? ((url: string) => new PrometheusProvider(url));
  const startedAt = clock.now();
  const deadlineAt = startedAt + p.deadlineMs;
  const stop = new AbortController();
  const log = o.logger;
  const gates = p.gatesFile?.gates ?? [];
  log.info(
    `checking ${o.environment}: ${o.config.probes.length} probe(s) against ${p.baseUrl}` +
      (o.probesOnly ? '' : `, ${gates.length} gate(s) against ${p.prometheusUrl}`) +
      `, deadline ${formatDuration(p.deadlineMs)}, baseline ${p.baseline.mode === 'environment' ? p.baseline.name : p.baseline.mode}`,
  );

  const giveUpAt = deadlineAt + DEADLINE_GRACE_MS;
  const unfinished = `no result ${formatDuration(p.deadlineMs + DEADLINE_GRACE_MS)} after the start (the deadline and its grace)`;
  const probesDone = settleBy(
    runProbes(o.config.probes, { baseUrl: p.baseUrl, logger: log, clock, signal: stop.signal }),
    giveUpAt,
    clock,
    () =>
      o.config.probes.map((probe) => probeUnfinished(probe, p.baseUrl, unfinished, clock.now() - startedAt)),
  ).then((rs) => {
    rs.forEach((r) => o.onProbe?.(r));
    if (rs.some((r) => !r.ok)) stop.abort();
    return rs;
  });
  const taken = new Map<string, Measurement[]>();
  const onMeasurement = (g: GateSpec, m: Measurement): void => {
    taken.set(g.name, [...(taken.get(g.name) ?? []), m]);
    o.onMeasurement?.(g, m);
  };
  const gatesDone = Promise.all(
    gates.map(async (g): Promise<GateResult> => {
      const query = substitute(g.query, p.variables);
      if (g.baseline && p.baseline.mode === 'none') {
        log.warn(`gate ${g.name} compares with a baseline but the run has none (baseline: none): skipped`);
        const now = clock.now();
        const zero = { Successful: 0, Failed: 0, Inconclusive: 0, Error: 0 };
        return {
          name: g.name,
          phase: 'Skipped',
          message: 'needs a baseline; the run has baseline: none',
          query,
          successCondition: g.successCondition,
          failureCondition: g.failureCondition,
          measurements: [],
          startedAt: now,
          finishedAt: now,
          counts: zero,
        };
      }
      const r = await settleBy(
        evaluateGate(g, {
          provider: providerFor(p.prometheusUrl),
          query,
          baseline: baselineFor(g, p, providerFor),
          clock,
          deadlineAt,
          signal: stop.signal,
          onMeasurement,
        }),
        giveUpAt,
        clock,
        (): GateResult => {
          const measurements = taken.get(g.name) ?? [];
          return {
            name: g.name,
            phase: 'Error',
            message: `${unfinished}: a measurement never finished (${measurements.length} taken) — no verdict`,
            query,
            successCondition: g.successCondition,
            failureCondition: g.failureCondition,
            measurements,
            startedAt,
            finishedAt: clock.now(),
            counts: measurements.reduce((t, m) => addToTally(t, m.phase), emptyTally()).counts,
          };
        },
      );
      if (r.phase === 'Failed') stop.abort();
      return r;
    }),
  );
  const [probes, gateResults] = await Promise.all([probesDone, gatesDone]);
  const verdict = verdictOf(gateResults, probes);
  const result: CheckResult = {
    verdict,
    environment: o.environment,
    gates: gateResults,
    probes,
    failedGates: [
      ...gateResults.filter((g) => g.phase !== 'Successful' && g.phase !== 'Skipped').map((g) => g.name),
      ...probes.filter((r) => !r.ok).map((r) => `probe:${r.name}`),
    ],
    markdown: '',
    htmlPath: '',
    startedAt,
    finishedAt: clock.now(),
  };
  result.markdown = renderMarkdown(result);
  const dir = o.reportDir ?? join(tmpdir(), `erp-deploy-check-${o.environment}-${startedAt}`);
  mkdirSync(dir, { recursive: true });
  result.htmlPath = join(dir, `smoke-check-${o.environment}.html`);
  writeFileSync(result.htmlPath, renderHtml(result));
  return result;
}
