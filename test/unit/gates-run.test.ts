/** runChecks with scripted providers and a fake clock: run-level verdicts, fail fast across gates, input checks, reports. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/core/config/load.js';
import { FakeClock } from '../../src/core/gates/clock.js';
import { runChecks, verdictOf } from '../../src/core/gates/run.js';
import { MemoryLogger } from '../../src/core/log.js';
import { InputError } from '../../src/core/errors.js';
import type { GatePhase, GateResult } from '../../src/core/gates/types.js';
import type { ProbeResult } from '../../src/core/gates/probes.js';
import { ScriptedProvider, type Answer } from './gates-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'gates-run-'));
const config = parseConfig(
  `version: 1
environments:
  staging: { prometheusUrl: 'http://staging:9090' }
  production: { prometheusUrl: 'http://production:9090' }
gates: { file: gates.yml, deadline: 5m }
probes: []
`,
  join(dir, 'erp-deploy.yml'),
);

const GATES = `version: 1
defaults: { interval: 10s, count: 3, errorRetryInterval: 1s }
gates:
  - name: errors
    query: sum(rate(http_requests_total{env="$environment",status="5xx"}[1m]))
    successCondition: result < 1
  - name: latency
    query: max(latency{release="$release"})
    successCondition: result < 1
`;

function setup(gates: string, answers: Record<string, Answer[]>) {
  writeFileSync(join(dir, 'gates.yml'), gates);
  const clock = new FakeClock(1_700_000_000_000);
  const providers = new Map<string, ScriptedProvider>();
  const providerFor = (url: string): ScriptedProvider => {
    if (!providers.has(url)) providers.set(url, new ScriptedProvider(answers[url] ?? [0], clock));
    return providers.get(url)!;
  };
  return { clock, providers, providerFor };
}

const base = { config, environment: 'staging', release: 'r7', reportDir: dir, logger: new MemoryLogger() };

describe('verdictOf', () => {
  const g = (phase: GatePhase) => ({ phase }) as GateResult;
  const p = (ok: boolean) => ({ ok }) as ProbeResult;
  it.each<[GatePhase[], boolean[], string]>([
    [['Successful', 'Successful'], [true], 'passed'],
    [['Successful', 'Failed'], [true], 'failed'],
    [['Successful'], [false], 'failed'],
    [['Error', 'Failed'], [true], 'failed'],
    [['Error', 'Inconclusive'], [true], 'error'],
    [['Inconclusive', 'Successful'], [true], 'inconclusive'],
    [['Skipped', 'Successful'], [], 'passed'],
    [['Skipped'], [true], 'inconclusive'],
    [[], [true], 'passed'],
    [[], [], 'inconclusive'],
  ])('gates %j, probes %j → %s', (gates, probes, want) => {
    expect(verdictOf(gates.map(g), probes.map(p))).toBe(want);
  });
});

describe('runChecks', () => {
  it('passes, substituting variables, and writes both reports', async () => {
    const { clock, providers, providerFor } = setup(GATES, {});
    const r = await runChecks({ ...base, clock, providerFor });
    expect(r.verdict).toBe('passed');
    expect(r.failedGates).toEqual([]);
    expect(clock.now() - r.startedAt).toBe(20_000);
    const calls = providers.get('http://staging:9090')!.calls.map((c) => c.query);
    expect(calls).toContain('sum(rate(http_requests_total{env="staging",status="5xx"}[1m]))');
    expect(calls).toContain('max(latency{release="r7"})');
    expect(r.markdown).toContain('## Smoke check of staging: ✅ passed');
    expect(r.markdown).toContain('line [0, 0, 0]');
    const html = readFileSync(r.htmlPath, 'utf8');
    expect(html.match(/<circle class="point successful"/g)).toHaveLength(6);
  });

  it('fails fast: one failed gate stops the others', async () => {
    const gates = GATES.replace('max(latency{release="$release"})', 'max(latency{bad="1"})');
    const { clock, providerFor } = setup(gates, {});
    const provider = providerFor('http://staging:9090');
    const original = provider.query.bind(provider);
    provider.query = async (q, o) =>
      q.includes('bad') && clock.now() - 1_700_000_000_000 >= 10_000
        ? [{ labels: {}, value: 5 }]
        : original(q, o);
    const r = await runChecks({ ...base, clock, providerFor });
    expect(r.verdict).toBe('failed');
    expect(r.failedGates).toEqual(['latency']);
    expect(r.gates.map((g) => g.phase).sort()).toEqual(['Failed', 'Skipped']);
    expect(clock.now() - r.startedAt).toBe(10_000);
  });

  it('a query that never settles ends as an error verdict at the deadline plus grace, not a silent exit', async () => {
    const { clock, providerFor } = setup(GATES, {});
    const provider = providerFor('http://staging:9090');
    const original = provider.query.bind(provider);
    provider.query = (q, o) =>
      q.includes('latency') && clock.now() - 1_700_000_000_000 >= 10_000
        ? new Promise(() => undefined) // an answer that never comes, with no timer keeping anything alive
        : original(q, o);
    const r = await runChecks({ ...base, clock, providerFor });
    expect(r.verdict).toBe('error');
    expect(r.failedGates).toEqual(['latency']);
    const latency = r.gates.find((g) => g.name === 'latency')!;
    expect(latency.phase).toBe('Error');
    expect(latency.message).toBe(
      'no result 5m15s after the start (the deadline and its grace): a measurement never finished (1 taken) — no verdict',
    );
    expect(latency.measurements).toHaveLength(1);
    expect(latency.counts.Successful).toBe(1);
    expect(r.gates.find((g) => g.name === 'errors')!.phase).toBe('Successful');
    expect(clock.now() - r.startedAt).toBe(5 * 60_000 + 15_000);
    expect(r.markdown).toMatch(/a measurement never finished/);
  });

  it('fails fast without waiting for a query in flight that ignores the cancellation', async () => {
    const { clock, providerFor } = setup(GATES, {});
    const provider = providerFor('http://staging:9090');
    const original = provider.query.bind(provider);
    const elapsed = () => clock.now() - 1_700_000_000_000;
    provider.query = (q, o) => {
      if (q.includes('latency') && elapsed() >= 10_000) return new Promise(() => undefined); // deaf to o.signal
      if (q.includes('http_requests_total') && elapsed() >= 10_000)
        return clock.sleep(1000).then(() => [{ labels: {}, value: 5 }]);
      return original(q, o);
    };
    const r = await runChecks({ ...base, clock, providerFor });
    expect(r.verdict).toBe('failed');
    expect(r.gates.map((g) => [g.name, g.phase])).toEqual([
      ['errors', 'Failed'],
      ['latency', 'Skipped'],
    ]);
    expect(elapsed()).toBe(11_000);
  });

  it('compares with production when staging is judged', async () => {
    const gates = `${GATES}  - name: relative
    query: sum(rate(x{env="$environment"}[1m]))
    successCondition: result <= baseline * 1.1
    baseline: {}
`;
    const { clock, providers, providerFor } = setup(gates, {
      'http://staging:9090': [0.5],
      'http://production:9090': [0.4],
    });
    const r = await runChecks({ ...base, clock, providerFor, baseline: 'production' });
    expect(r.gates.find((g) => g.name === 'relative')).toMatchObject({ phase: 'Failed' });
    expect(providers.get('http://production:9090')!.calls[0].query).toBe(
      'sum(rate(x{env="production"}[1m]))',
    );
    expect(r.markdown).toMatch(/\| 0\.5 \| 0\.4 \| Failed \| 0\.5 \(baseline 0\.4\)/);
  });

  it.each<[string, object, RegExp]>([
    [
      'an unknown baseline',
      { baseline: 'qa' },
      /baseline: expected none, previous or an environment \(staging, production\), got "qa"/,
    ],
    [
      'the same environment as baseline',
      { baseline: 'staging' },
      /baseline: cannot be the environment being checked/,
    ],
    ['an invalid deadline', { deadline: 'soon' }, /deadline: invalid duration "soon"/],
    [
      'a deadline too short for a gate',
      { deadline: '15s' },
      /gate errors: count: needs 20s .* deadline is 15s/,
    ],
    [
      'a missing release',
      { release: undefined },
      /gate latency: query: uses \$release but no release was given/,
    ],
    ['an unknown environment', { environment: 'qa' }, /unknown environment "qa"/],
  ])('rejects %s before any measurement', async (_n, over, re) => {
    const { clock, providers, providerFor } = setup(GATES, {});
    await expect(runChecks({ ...base, clock, providerFor, ...over })).rejects.toThrow(InputError);
    await expect(runChecks({ ...base, clock, providerFor, ...over })).rejects.toThrow(re);
    expect(providers.size).toBe(0);
  });
});
