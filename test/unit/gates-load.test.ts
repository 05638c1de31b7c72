/** The gates file is checked before any measurement: each bad input names file, gate and field. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { loadGatesFile, parseGatesFile, validateGates } from '../../src/core/gates/load.js';

const FILE = 'gates.yml';
const wrap = (gate: string, top = ''): string =>
  `version: 1\n${top}gates:\n  - name: err\n    query: sum(rate(http_requests_total[1m]))\n    successCondition: result < 1\n${gate}`;

describe('the shipped compose/gates.yml', () => {
  const g = loadGatesFile(join(process.cwd(), 'compose/gates.yml'));
  it('loads with its defaults and custom variables', () => {
    expect(g.gates.map((x) => x.name)).toEqual([
      'api-error-ratio',
      'api-latency-p95',
      'targets-up',
      'workers-online',
      'queue-backlog',
      'redis-up',
      'api-error-ratio-vs-baseline',
    ]);
    expect(g.variables).toEqual({ api_job: 'api', worker_job: 'worker' });
    const err = g.gates[0];
    expect(err).toMatchObject({
      intervalMs: 30_000,
      count: 4,
      consecutiveErrorLimit: 4,
      noData: 'inconclusive',
      inconclusiveLimit: 1,
    });
    expect(g.gates[3]).toMatchObject({
      noData: 'inconclusive',
      inconclusiveLimit: 1,
      nonFinite: 'error',
      multiple: false,
      errorRetryIntervalMs: 10_000,
    });
    expect(g.gates[6].baseline).toEqual({ offsetMs: 600_000, noData: 'pass', query: undefined });
  });
  it('is sound', () => {
    expect(validateGates(g)).toEqual([]);
  });
});

describe('defaults follow Argo', () => {
  it('failureLimit 0, inconclusiveLimit 0, consecutiveErrorLimit 4, noData fail, count 1', () => {
    const g = parseGatesFile(wrap(''), FILE).gates[0];
    expect(g).toMatchObject({
      failureLimit: 0,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
      noData: 'fail',
      count: 1,
      timeoutMs: 30_000,
      errorRetryIntervalMs: 10_000,
    });
  });
  it('a condition asking isNaN() handles NaN itself (nonFinite evaluate) unless a policy is set', () => {
    expect(parseGatesFile(wrap('    failureCondition: isNaN(result)\n'), FILE).gates[0].nonFinite).toBe(
      'evaluate',
    );
    expect(
      parseGatesFile(wrap('    failureCondition: isNaN(result)\n    nonFinite: fail\n'), FILE).gates[0]
        .nonFinite,
    ).toBe('fail');
  });
  it('file-wide defaults apply, a gate overrides them', () => {
    const g = parseGatesFile(wrap('    count: 2\n', 'defaults:\n  interval: 5s\n  count: 7\n'), FILE)
      .gates[0];
    expect(g).toMatchObject({ intervalMs: 5000, count: 2 });
  });
});

describe('bad gates files', () => {
  it.each<[string, string, RegExp]>([
    [
      'unknown key',
      wrap('    sucessCondition: result < 2\n'),
      /gates\.yml: gate err: sucessCondition: unknown key; expected one of name, description, query, successCondition, .*\(line 6\)/,
    ],
    [
      'invalid duration',
      wrap('    interval: 30 seconds\n'),
      /gate err: interval: invalid duration: expected e\.g\. 500ms/,
    ],
    [
      'invalid duration in defaults',
      wrap('', 'defaults:\n  timeout: soon\n'),
      /defaults\.timeout: invalid duration/,
    ],
    [
      'bad noData policy',
      wrap('    noData: ignore\n'),
      /gate err: noData: expected one of fail, inconclusive, pass, error, evaluate/,
    ],
    ['negative limit', wrap('    failureLimit: -1\n'), /gate err: failureLimit: must be >= 0/],
    ['count 0', wrap('    count: 0\n'), /gate err: count: must be >= 1/],
    ['missing version', 'gates: []\n', /must have required property 'version'/],
    ['not YAML', 'version: 1\ngates: [\n', /not valid YAML/],
    ['no gates', 'version: 1\ngates: []\n', /no gates/],
    [
      'invalid PromQL with its column',
      'version: 1\ngates:\n  - name: bad\n    query: sum(rate(http_requests_total[1m])\n    successCondition: result < 1\n',
      /gate bad: query: invalid PromQL at column 34: unexpected end of query \(line 4\)/,
    ],
    [
      'invalid PromQL in the middle',
      'version: 1\ngates:\n  - name: bad\n    query: up{job="api"} === 1\n    successCondition: result < 1\n',
      /gate bad: query: invalid PromQL at column 1[5-8]: syntax error near/,
    ],
    [
      'unknown variable',
      wrap('').replace('total[1m]', 'total{env="$enviroment"}[1m]'),
      /gate err: query: unknown variable \$enviroment \(expected one of \$environment/,
    ],
    [
      'invalid condition',
      wrap('    failureCondition: result >> 2\n'),
      /gate err: failureCondition: invalid condition: expected a value but found ">" at column 9/,
    ],
    [
      'unknown name in a condition',
      wrap('    failureCondition: value > 2\n'),
      /failureCondition: invalid condition: unknown name "value"/,
    ],
    [
      'baseline without a baseline block',
      wrap('    failureCondition: result > baseline\n'),
      /gate err: failureCondition: uses "baseline" but the gate has no baseline: block/,
    ],
    [
      'no condition at all',
      'version: 1\ngates:\n  - name: bare\n    query: up\n',
      /gate bare: successCondition: a gate needs a successCondition, a failureCondition or both/,
    ],
    [
      'duplicate names',
      wrap('  - name: err\n    query: up\n    successCondition: result == 1\n'),
      /gate err: name: duplicate gate name/,
    ],
    [
      'bad name',
      wrap('  - name: "bad name"\n    query: up\n    successCondition: result == 1\n'),
      /gates\[1\]: name|gate bad name: name/,
    ],
    [
      'invalid baseline PromQL',
      wrap('    baseline:\n      query: rate(x[5m]\n'),
      /gate err: baseline: invalid PromQL/,
    ],
    [
      'invalid baseline offset',
      wrap('    baseline:\n      offset: yesterday\n'),
      /gate err: baseline\.offset: invalid duration/,
    ],
  ])('%s', (_name, text, re) => {
    expect(() => parseGatesFile(text, FILE)).toThrow(InputError);
    expect(() => parseGatesFile(text, FILE)).toThrow(re);
  });

  it('reports every problem of a file at once through validateGates', () => {
    const ok = parseGatesFile(wrap(''), FILE);
    ok.gates.push({ ...ok.gates[0], name: 'two', query: 'rate(x[5m]', successCondition: 'result <' });
    const problems = validateGates(ok);
    expect(problems.map((p) => p.field)).toEqual(['gate two: query', 'gate two: successCondition']);
  });

  it('accepts variables the caller provides', () => {
    const g = parseGatesFile(wrap(''), FILE);
    g.gates[0].query = 'up{team="$team"}';
    expect(validateGates(g)[0].message).toMatch(/unknown variable \$team/);
    expect(validateGates(g, { variables: ['team'] })).toEqual([]);
  });

  it('names a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gates-'));
    expect(() => loadGatesFile(join(dir, 'nope.yml'))).toThrow(/nope\.yml: gates file not found/);
    writeFileSync(join(dir, 'g.yml'), wrap(''));
    expect(loadGatesFile(join(dir, 'g.yml')).gates).toHaveLength(1);
  });
});

describe('PromQL error positions', () => {
  it('point into the query as written, even after a $variable', () => {
    const text =
      'version: 1\ngates:\n  - name: v\n    query: up{env="$environment"} +\n    successCondition: result < 1\n';
    expect(() => parseGatesFile(text, FILE)).toThrow(/invalid PromQL at column 25: unexpected end of query/);
  });
});
