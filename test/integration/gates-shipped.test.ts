/**
 * The shipped compose/gates.yml (intervals scaled from 30 s to 1 s) against a real Prometheus scraping targets
 * that speak the stack contract's metric names under its job names: passes when healthy; a target going down
 * fails targets-up.
 */
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction, Stack, writeProject, type Jobs } from './gates-stack.js';

jest.setTimeout(120_000);

const TOKEN = 'shipped-t0ken';
const jobs: Jobs = {
  api: { port: 33021, mode: 'healthy' },
  worker: { port: 33022, mode: 'healthy' },
  flower: { port: 33023, mode: 'healthy' },
  redis: { port: 33024, mode: 'healthy' },
  node: { port: 33025, mode: 'healthy' },
  prometheus: { port: 33026, mode: 'healthy' },
};
const stack = new Stack(TOKEN, 33020, jobs);
let dir: string;
let config: string;

beforeAll(async () => {
  await stack.start();
  dir = mkdtempSync(join(tmpdir(), 'erp-shipped-'));
  const gates = readFileSync('compose/gates.yml', 'utf8')
    .replace(/interval: 30s/, 'interval: 1s')
    .replace(/errorRetryInterval: 10s/, 'errorRetryInterval: 500ms')
    .replace(/count: 4\b/, 'count: 2')
    .replace(/initialDelay: 20s/, 'initialDelay: 0s');
  config = writeProject(dir, stack, gates);
  await stack.warm();
}, 90_000);

afterAll(() => stack.stop(), 30_000);

describe('the shipped gates', () => {
  it('pass a healthy stack; the relative gate is skipped without a baseline', async () => {
    const r = await runAction(dir, { config, environment: 'api', release: 'r1' }, { SMOKE_TOKEN: TOKEN });
    expect(r.outputs.verdict).toBe('passed');
    for (const g of [
      'api-error-ratio',
      'api-latency-p95',
      'targets-up',
      'workers-online',
      'queue-backlog',
      'redis-up',
    ])
      expect(r.summary).toContain(`### ✅ Successful — gate \`${g}\``);
    expect(r.summary).toContain('### ⏭️ Skipped — gate `api-error-ratio-vs-baseline`');
    // targets-up lists every target's value
    expect(r.summary).toMatch(
      /\| 1 \| \+\d+ms \| 127\.0\.0\.1:33021=1, 127\.0\.0\.1:33022=1, .* \| Successful \|/,
    );
  });

  it('fail when a target goes down', async () => {
    await stack.target('flower').stop();
    await stack.until(
      async () => (await stack.instant('up{job="flower"} == 0')).length === 1,
      15_000,
      () => 'Prometheus never saw flower down',
    );
    const r = await runAction(dir, { config, environment: 'api' }, { SMOKE_TOKEN: TOKEN });
    expect(r.outputs.verdict).toBe('failed');
    expect(r.outputs['failed-gates']).toBe('targets-up');
    expect(r.summary).toMatch(/127\.0\.0\.1:33023=0/);
  });
});
