/** The evaluator over time with a fake clock: timing, fail fast, error retries, deadline, cancellation. */
import { evaluateGate } from '../../src/core/gates/evaluate.js';
import { FakeClock } from '../../src/core/gates/clock.js';
import type { GatePhase, GateSpec } from '../../src/core/gates/types.js';
import { gate, ScriptedProvider, type Answer } from './gates-fixtures.js';

interface Case {
  name: string;
  gate: Partial<GateSpec>;
  answers: Answer[];
  deadline?: number;
  phase: GatePhase;
  /** Clock times (s) of the measurements. */
  at: number[];
  /** Clock time (s) when the gate finished. */
  end: number;
  message?: RegExp;
}

const cases: Case[] = [
  { name: 'three good measurements', gate: {}, answers: [0], phase: 'Successful', at: [0, 10, 20], end: 20 },
  { name: 'fail fast on the second', gate: {}, answers: [0, 3], phase: 'Failed', at: [0, 10], end: 10 },
  {
    name: 'failureLimit 1 tolerates one',
    gate: { failureLimit: 1 },
    answers: [3, 0],
    phase: 'Successful',
    at: [0, 10, 20],
    end: 20,
  },
  {
    name: 'failureLimit 1 fails on the second failure',
    gate: { failureLimit: 1 },
    answers: [3, 0, 3],
    phase: 'Failed',
    at: [0, 10, 20],
    end: 20,
  },
  {
    name: 'initialDelay waits first',
    gate: { initialDelayMs: 5000 },
    answers: [0],
    phase: 'Successful',
    at: [5, 15, 25],
    end: 25,
  },
  {
    name: 'errors retry on errorRetryInterval and do not count',
    gate: {},
    answers: ['error', 'error', 0],
    phase: 'Successful',
    at: [0, 2, 4, 14, 24],
    end: 24,
  },
  {
    name: 'five consecutive errors end in Error',
    gate: {},
    answers: ['error'],
    phase: 'Error',
    at: [0, 2, 4, 6, 8],
    end: 8,
    message: /5 consecutive errors, more than consecutiveErrorLimit 4/,
  },
  {
    name: 'consecutiveErrorLimit 0: one error ends it',
    gate: { consecutiveErrorLimit: 0 },
    answers: ['error'],
    phase: 'Error',
    at: [0],
    end: 0,
  },
  {
    name: 'empty result fails by default',
    gate: {},
    answers: ['empty'],
    phase: 'Failed',
    at: [0],
    end: 0,
    message: /failed measurement/,
  },
  {
    name: 'empty result with noData inconclusive',
    gate: { noData: 'inconclusive' },
    answers: ['empty'],
    phase: 'Inconclusive',
    at: [0],
    end: 0,
  },
  {
    name: 'empty result with noData pass is explicit',
    gate: { noData: 'pass' },
    answers: ['empty'],
    phase: 'Successful',
    at: [0, 10, 20],
    end: 20,
  },
  {
    name: 'empty result with noData error retries',
    gate: { noData: 'error' },
    answers: ['empty'],
    phase: 'Error',
    at: [0, 2, 4, 6, 8],
    end: 8,
  },
  {
    name: 'NaN is an Error by default',
    gate: {},
    answers: [NaN],
    phase: 'Error',
    at: [0, 2, 4, 6, 8],
    end: 8,
  },
  {
    name: 'NaN then recovery',
    gate: {},
    answers: [NaN, 0],
    phase: 'Successful',
    at: [0, 2, 12, 22],
    end: 22,
  },
  {
    name: '+Inf with nonFinite fail',
    gate: { nonFinite: 'fail' },
    answers: [Infinity],
    phase: 'Failed',
    at: [0],
    end: 0,
  },
  {
    name: 'several series are errors',
    gate: {},
    answers: ['many'],
    phase: 'Error',
    at: [0, 2, 4, 6, 8],
    end: 8,
    message: /consecutive errors/,
  },
  {
    name: 'deadline before the next measurement: Error at once, no waiting',
    gate: {},
    answers: [0],
    deadline: 15_000,
    phase: 'Error',
    at: [0, 10],
    end: 10,
    message: /deadline comes before the next measurement is due: 2 of 3/,
  },
  {
    name: 'deadline during error retries',
    gate: { consecutiveErrorLimit: 100 },
    answers: ['error'],
    deadline: 5_000,
    phase: 'Error',
    at: [0, 2, 4],
    end: 4,
    message: /deadline/,
  },
  {
    name: 'deadline shorter than initialDelay',
    gate: { initialDelayMs: 60_000 },
    answers: [0],
    deadline: 30_000,
    phase: 'Error',
    at: [],
    end: 0,
  },
  {
    name: 'inconclusive within the limit',
    gate: { successCondition: 'result < 1', failureCondition: 'result > 5', inconclusiveLimit: 1 },
    answers: [3, 0],
    phase: 'Successful',
    at: [0, 10, 20],
    end: 20,
  },
  {
    name: 'inconclusive over the limit stops at once',
    gate: { successCondition: 'result < 1', failureCondition: 'result > 5' },
    answers: [0, 3],
    phase: 'Inconclusive',
    at: [0, 10],
    end: 10,
  },
];

describe('evaluateGate with a fake clock', () => {
  it.each(cases)('$name → $phase', async (c) => {
    const clock = new FakeClock(1_000_000);
    const provider = new ScriptedProvider(c.answers, clock);
    const g = gate({ successCondition: 'result < 1', ...c.gate });
    const r = await evaluateGate(g, {
      provider,
      query: 'q',
      clock,
      deadlineAt: 1_000_000 + (c.deadline ?? 600_000),
    });
    expect(r.phase).toBe(c.phase);
    expect(r.measurements.map((m) => (m.at - 1_000_000) / 1000)).toEqual(c.at);
    expect((r.finishedAt - 1_000_000) / 1000).toBe(c.end);
    if (c.message) expect(r.message).toMatch(c.message);
    expect(provider.calls).toHaveLength(c.at.length);
  });

  it('bounds each query by the gate timeout and the time left', async () => {
    const clock = new FakeClock(0);
    const provider = new ScriptedProvider([0], clock);
    await evaluateGate(gate({ successCondition: 'result < 1', count: 1, timeoutMs: 30_000 }), {
      provider,
      query: 'q',
      clock,
      deadlineAt: 12_000,
    });
    expect(provider.calls[0].opts.timeoutMs).toBe(12_000);
  });

  it('queries the baseline at the offset and compares', async () => {
    const clock = new FakeClock(5_000_000);
    const provider = new ScriptedProvider([0.02], clock);
    const base = new ScriptedProvider([0.01], clock);
    const g = gate({
      successCondition: 'result <= baseline * 1.1',
      count: 1,
      baseline: { offsetMs: 3_600_000, noData: 'inconclusive' },
    });
    const r = await evaluateGate(g, {
      provider,
      query: 'q',
      baseline: { provider: base, query: 'bq', offsetMs: 3_600_000 },
      clock,
      deadlineAt: 6_000_000,
    });
    expect(r.phase).toBe('Failed');
    expect(base.calls[0]).toMatchObject({ query: 'bq', opts: { at: 5_000_000 - 3_600_000 } });
    expect(r.measurements[0]).toMatchObject({ value: 0.02, baseline: 0.01 });
  });

  it('stops when the run is decided elsewhere (abort) and says so', async () => {
    const clock = new FakeClock(0);
    const provider = new ScriptedProvider([0], clock);
    const stop = new AbortController();
    const r = await evaluateGate(gate({ successCondition: 'result < 1', count: 10 }), {
      provider,
      query: 'q',
      clock,
      deadlineAt: 600_000,
      signal: stop.signal,
      onMeasurement: (_g, m) => {
        if (m.at >= 20_000) stop.abort();
      },
    });
    expect(r.phase).toBe('Skipped');
    expect(r.measurements).toHaveLength(3);
    expect(r.message).toMatch(/already decided \(3 of 10/);
  });
});
