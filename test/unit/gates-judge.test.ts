/** Argo Rollouts' measurement and gate semantics as tables: conditions × values × policies, tallies × limits. */
import { addToTally, assess, emptyTally, judge, parseConditions } from '../../src/core/gates/judge.js';
import type { GateSpec, MeasurementPhase, NoDataPolicy, Sample } from '../../src/core/gates/types.js';
import { gate } from './gates-fixtures.js';

const one = (v: number): Sample[] => [{ labels: {}, value: v }];
const S = 'result < 1';
const F = 'result > 5';

describe('judge: conditions (Argo combination rule)', () => {
  it.each<[string | undefined, string | undefined, number, MeasurementPhase]>([
    // success only: fails when false
    [S, undefined, 0.5, 'Successful'],
    [S, undefined, 3, 'Failed'],
    // failure only: succeeds when false
    [undefined, F, 3, 'Successful'],
    [undefined, F, 9, 'Failed'],
    // both: failure wins, success passes, neither → Inconclusive
    [S, F, 0.5, 'Successful'],
    [S, F, 9, 'Failed'],
    [S, F, 3, 'Inconclusive'],
    // both true at once: failure wins
    ['result > 0', 'result > 5', 9, 'Failed'],
  ])('success %s / failure %s, value %s → %s', (successCondition, failureCondition, v, want) => {
    const g = gate({ successCondition, failureCondition });
    expect(judge(g, parseConditions(g), one(v)).phase).toBe(want);
  });
});

const policies: [NoDataPolicy, MeasurementPhase][] = [
  ['fail', 'Failed'],
  ['inconclusive', 'Inconclusive'],
  ['pass', 'Successful'],
  ['error', 'Error'],
];

describe('judge: empty results follow noData', () => {
  it.each(policies)('noData %s → %s', (noData, want) => {
    const g = gate({ successCondition: S, noData });
    const j = judge(g, parseConditions(g), []);
    expect(j.phase).toBe(want);
    expect(j.message).toMatch(/no data/);
  });
  it('default policy is fail: an empty result is never a silent pass', () => {
    const g = gate({ successCondition: S });
    expect(judge(g, parseConditions(g), []).phase).toBe('Failed');
  });
  it.each<[string, MeasurementPhase]>([
    ['len(results) == 0', 'Successful'],
    ['len(results) > 0', 'Failed'],
    ['result < 1', 'Error'], // result has no value: an Error, not a pass
  ])('noData evaluate hands the empty result to %s → %s', (successCondition, want) => {
    const g = gate({ successCondition, noData: 'evaluate' });
    expect(judge(g, parseConditions(g), []).phase).toBe(want);
  });
});

describe('judge: NaN and ±Inf follow nonFinite', () => {
  for (const v of [NaN, Infinity, -Infinity]) {
    it.each(policies)(`${v} with nonFinite %s → %s`, (nonFinite, want) => {
      const g = gate({ successCondition: 'result < 1', nonFinite });
      expect(judge(g, parseConditions(g), one(v)).phase).toBe(want);
    });
  }
  it('default error: NaN < 1 is false, but NaN never reaches a failure-only condition as a silent pass', () => {
    const g = gate({ failureCondition: 'result > 5' });
    expect(judge(g, parseConditions(g), one(NaN)).phase).toBe('Error');
  });
  it.each<[number, string, MeasurementPhase]>([
    [NaN, 'isNaN(result) || result < 1', 'Successful'],
    [NaN, '!isNaN(result) && result < 1', 'Failed'],
    [Infinity, 'isInf(result)', 'Successful'],
  ])('nonFinite evaluate: %s with %s → %s', (v, successCondition, want) => {
    const g = gate({ successCondition, nonFinite: 'evaluate' });
    expect(judge(g, parseConditions(g), one(v)).phase).toBe(want);
  });
});

describe('judge: several series', () => {
  const many: Sample[] = [
    { labels: { instance: 'a' }, value: 1 },
    { labels: { instance: 'b' }, value: 0 },
  ];
  it('are an Error where one value is expected, naming the series', () => {
    const g = gate({ successCondition: S });
    const j = judge(g, parseConditions(g), many);
    expect(j.phase).toBe('Error');
    expect(j.message).toMatch(/2 series where one value is expected \(\{instance="a"\}, \{instance="b"\}\)/);
  });
  it.each<[string, MeasurementPhase]>([
    ['min(results) == 1', 'Failed'],
    ['max(results) == 1', 'Successful'],
    ['len(results) == 2', 'Successful'],
    ['result == 1', 'Error'],
  ])('multiple: true → %s gives %s', (successCondition, want) => {
    const g = gate({ successCondition, multiple: true });
    expect(judge(g, parseConditions(g), many).phase).toBe(want);
  });
});

describe('judge: baseline', () => {
  const base = { offsetMs: 0, noData: 'inconclusive' as const };
  const rel = 'result <= baseline * 1.1 + 0.001';
  it.each<[number, Sample[], MeasurementPhase]>([
    [0.0105, one(0.01), 'Successful'],
    [0.02, one(0.01), 'Failed'],
    [0.02, [], 'Inconclusive'],
    [0.02, [...one(1), ...one(2)], 'Error'],
    [0.02, one(NaN), 'Inconclusive'], // NaN baseline = no traffic then: the baseline noData policy
    [0.02, one(Infinity), 'Error'],
  ])('value %s against baseline %j → %s', (v, b, want) => {
    const g = gate({ successCondition: rel, baseline: base });
    const j = judge(g, parseConditions(g), one(v), b);
    expect(j.phase).toBe(want);
  });
  it('a NaN baseline (no traffic in its window) follows the baseline noData policy: pass', () => {
    const g = gate({ successCondition: rel, baseline: { ...base, noData: 'pass' } });
    expect(judge(g, parseConditions(g), one(0.5), one(NaN)).phase).toBe('Successful');
  });
  it('baseline noData policy fail', () => {
    const g = gate({ successCondition: rel, baseline: { ...base, noData: 'fail' } });
    expect(judge(g, parseConditions(g), one(0), []).phase).toBe('Failed');
  });
  it('records the baseline value', () => {
    const g = gate({ successCondition: rel, baseline: base });
    expect(judge(g, parseConditions(g), one(0.01), one(0.02))).toMatchObject({ baseline: 0.02, value: 0.01 });
  });
});

describe('assess: limits decide the gate (more than the limit)', () => {
  const run = (phases: MeasurementPhase[]) => phases.reduce(addToTally, emptyTally());
  it.each<[Partial<GateSpec>, MeasurementPhase[], string | undefined]>([
    [{}, ['Successful', 'Successful'], undefined],
    [{}, ['Successful', 'Successful', 'Successful'], 'Successful'],
    [{}, ['Failed'], 'Failed'],
    [{ failureLimit: 1 }, ['Failed'], undefined],
    [{ failureLimit: 1 }, ['Failed', 'Successful', 'Successful'], 'Successful'],
    [{ failureLimit: 1 }, ['Failed', 'Failed'], 'Failed'],
    [{}, ['Inconclusive'], 'Inconclusive'],
    [{ inconclusiveLimit: 1 }, ['Inconclusive', 'Successful', 'Successful'], 'Successful'],
    [{ inconclusiveLimit: 1 }, ['Inconclusive', 'Inconclusive'], 'Inconclusive'],
    // errors do not count towards count: 3 errors + 2 successes is still running
    [{}, ['Error', 'Error', 'Error', 'Successful', 'Successful'], undefined],
    [{}, ['Error', 'Error', 'Error', 'Error'], undefined],
    [{}, ['Error', 'Error', 'Error', 'Error', 'Error'], 'Error'],
    [{ consecutiveErrorLimit: 0 }, ['Error'], 'Error'],
    // a success resets the consecutive errors
    [{}, ['Error', 'Error', 'Error', 'Error', 'Successful', 'Error'], undefined],
    // failure is checked before inconclusive and errors
    [{ failureLimit: 0, inconclusiveLimit: 0 }, ['Inconclusive', 'Failed'], 'Failed'],
    [{ count: 1 }, ['Successful'], 'Successful'],
  ])('%j after %j → %s', (limits, phases, want) => {
    expect(assess(gate(limits), run(phases))?.phase).toBe(want);
  });
});
