/** What both reports show: each gate's plotted points, labels for phases and verdicts, number formatting. */
import type { GatePhase, GateResult, MeasurementPhase, Verdict } from '../gates/types.js';
import type { ProbeResult } from '../gates/probes.js';

/** The data a report renders: CheckResult minus the report itself (avoids a cycle with gates/run.ts). */
export interface ReportInput {
  verdict: Verdict;
  environment: string;
  gates: GateResult[];
  probes: ProbeResult[];
  startedAt: number;
  finishedAt: number;
}

export interface Point {
  /** 1-based measurement number. */
  n: number;
  /** Seconds since the gate started. */
  t: number;
  value: number;
  baseline?: number;
  phase: MeasurementPhase;
}

/** The finite values of a gate's measurements, in order (NaN, Inf and errors are listed in the table only). */
export function pointsOf(g: GateResult): Point[] {
  return g.measurements.flatMap((m, i) =>
    m.value !== undefined && Number.isFinite(m.value)
      ? [
          {
            n: i + 1,
            t: Math.round((m.at - g.startedAt) / 100) / 10,
            value: m.value,
            baseline: m.baseline !== undefined && Number.isFinite(m.baseline) ? m.baseline : undefined,
            phase: m.phase,
          },
        ]
      : [],
  );
}

export const VERDICT_LABEL: Record<Verdict, string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  inconclusive: '⚠️ inconclusive',
  error: '🛑 error',
};

export const PHASE_LABEL: Record<GatePhase, string> = {
  Successful: '✅ Successful',
  Failed: '❌ Failed',
  Inconclusive: '⚠️ Inconclusive',
  Error: '🛑 Error',
  Skipped: '⏭️ Skipped',
};

export function num(v: number | undefined): string {
  if (v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/** Every series' value when a measurement has several (multiple: true). */
export function valuesText(values: { labels: Record<string, string>; value: number }[]): string {
  if (values.length <= 1) return num(values[0]?.value);
  return (
    values
      .slice(0, 6)
      .map((s) => `${s.labels.instance ?? s.labels.job ?? Object.values(s.labels)[0] ?? ''}=${num(s.value)}`)
      .join(', ') + (values.length > 6 ? ', …' : '')
  );
}
