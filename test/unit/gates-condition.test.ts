import {
  evaluateCondition,
  parseCondition,
  namesOf,
  ConditionSyntaxError,
  ConditionEvalError,
} from '../../src/core/gates/condition.js';
import type { Scope } from '../../src/core/gates/condition.js';

const ev = (src: string, scope: Scope): boolean => evaluateCondition(parseCondition(src), scope);

describe('condition language', () => {
  it.each<[string, Scope, boolean]>([
    ['result < 0.01', { result: 0.005 }, true],
    ['result < 0.01', { result: 0.01 }, false],
    ['result <= baseline * 1.1 + 0.001', { result: 0.011, baseline: 0.01 }, true],
    ['result <= baseline * 1.1 + 0.001', { result: 0.0125, baseline: 0.01 }, false],
    ['isNaN(result)', { result: NaN }, true],
    ['isNaN(result) || result > 0.5', { result: 0.7 }, true],
    ['isInf(result)', { result: -Infinity }, true],
    ['isFinite(result) and result >= 0', { result: 3 }, true],
    ['len(results) == 0', { results: [] }, true],
    ['len(results) == 0 || result < 1', { results: [] }, true],
    ['min(results) == 1', { results: [1, 1, 0] }, false],
    ['max(results) < 2 && avg(results) > 0.4', { results: [1, 0] }, true],
    ['sum(results) == 3', { results: [1, 2] }, true],
    ['abs(result - 1) < 0.1', { result: 0.95 }, true],
    ['not (result > 2)', { result: 1 }, true],
    ['!(result > 2) && -result < 0', { result: 1 }, true],
    ['result % 2 == 1', { result: 3 }, true],
    ['result != 1', { result: 1 }, false],
    ['1 + 2 * 3 == 7', {}, true],
    ['(1 + 2) * 3 == 9', {}, true],
    ['result < Inf', { result: 1e300 }, true],
    ['true', {}, true],
    ['result == 1 or result == 2 and false', { result: 1 }, true],
    ['1e-3 == 0.001', {}, true],
  ])('%s with %j → %s', (src, scope, want) => {
    expect(ev(src, scope)).toBe(want);
  });

  it.each<[string, RegExp]>([
    ['', /empty condition/],
    ['result <', /expected a value but found the end of the condition at column 9/],
    ['result < 0.01)', /unexpected "\)" at column 14/],
    ['reslt < 1', /unknown name "reslt".*column 1/],
    ['foo(result)', /unknown function "foo"/],
    ['len(results, 1) > 0', /len\(\) takes 1 argument/],
    ['result ^ 2', /unexpected character "\^" at column 8/],
    ['process.exit(1)', /unexpected character "\."|unknown name/],
    ['(result < 1', /expected "\)"/],
  ])('rejects %j', (src, re) => {
    expect(() => parseCondition(src)).toThrow(ConditionSyntaxError);
    expect(() => parseCondition(src)).toThrow(re);
  });

  it.each<[string, Scope, RegExp]>([
    ['result < 1', {}, /"result" has no value/],
    ['result + 1', { result: 1 }, /gives the number 2, not true\/false/],
    ['results < 1', { results: [1] }, /expects a number, got a list/],
    ['min(results) > 0', { results: [] }, /min of an empty list/],
    ['result && true', { result: 1 }, /expects true\/false/],
    ['results == 1', { results: [1] }, /cannot compare/],
  ])('evaluation error: %s', (src, scope, re) => {
    expect(() => ev(src, scope)).toThrow(ConditionEvalError);
    expect(() => ev(src, scope)).toThrow(re);
  });

  it('short-circuits so a guarded name is not read', () => {
    expect(ev('len(results) == 0 || result > 1', { results: [] })).toBe(true);
    expect(ev('false && result > 1', {})).toBe(false);
  });

  it('lists the names and functions a condition reads', () => {
    expect([...namesOf(parseCondition('isNaN(result) || result <= baseline'))].sort()).toEqual([
      'baseline',
      'isNaN()',
      'result',
    ]);
  });
});
