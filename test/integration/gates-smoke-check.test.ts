/**
 * The bundled smoke-check action against a real Prometheus scraping real targets (healthy, erroring, slow, down):
 * verdicts, timing (fail fast), outputs, the job summary, secrets, bad input, Prometheus faults, baselines, and the
 * HTML report rendered in a real headless Chromium.
 */
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { runAction, Stack, TEST_GATES, writeProject, type ActionRun } from './gates-stack.js';

// jest.config.js' per-project testTimeout is not applied by jest 29 (it warns "Unknown option"): set it here.
jest.setTimeout(120_000);

const TOKEN = 'tok-sm0ke-9f31c2';
const stack = new Stack(TOKEN);
let dir: string;
let config: string;
let browser: Browser;

const check = (environment: string, more: Record<string, string> = {}): Promise<ActionRun> =>
  runAction(dir, { config, environment, ...more }, { SMOKE_TOKEN: TOKEN });

beforeAll(async () => {
  await stack.start();
  dir = mkdtempSync(join(tmpdir(), 'erp-smoke-'));
  config = writeProject(dir, stack, TEST_GATES);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  await stack.warm();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack.stop();
}, 30_000);

describe('smoke-check against a real Prometheus', () => {
  let healthy: ActionRun;
  it('passes a healthy release after count measurements, with a summary and outputs', async () => {
    healthy = await check('healthy', { release: 'r2' });
    expect(healthy.stderr).toBe('');
    expect(healthy.outputs.verdict).toBe('passed');
    expect(healthy.code).toBe(0);
    expect(healthy.outputs['failed-gates']).toBe('');
    // 3 measurements 2 s apart: no verdict before 4 s
    expect(healthy.ms).toBeGreaterThanOrEqual(4000);
    const s = healthy.summary;
    expect(s).toContain('## Smoke check of healthy: ✅ passed');
    expect(s).toMatch(
      /\| live \| GET http:\/\/127\.0\.0\.1:33011\/health\/live \| 200 \| \d+ ms \| 1 \| ✅ ok \|/,
    );
    for (const g of ['error-ratio', 'latency-p95', 'target-up', 'workers-online']) {
      expect(s).toContain(`### ✅ Successful — gate \`${g}\``);
      expect(s).toContain(`title "${g}"`);
    }
    expect(s.match(/```mermaid\nxychart-beta/g)).toHaveLength(4);
    expect(s).toMatch(/\| 3 \| \+4\.\d+s \| 0 \| Successful \| 0 → successCondition true: result < 0\.01/);
    expect(s).toContain(`HTML report (charts of every gate): \`${healthy.outputs['report-path']}\``);
    // the custom $window variable was substituted
    expect(s).toContain('[5s]');
  });

  it('never shows the probe secret, only masks it', () => {
    expect(healthy.stdout).toContain(`::add-mask::${TOKEN}\n`);
    expect(healthy.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(TOKEN);
    expect(healthy.summary).not.toContain(TOKEN);
    expect(readFileSync(healthy.outputs['report-path'], 'utf8')).not.toContain(TOKEN);
  });

  it('renders the HTML report in Chromium: one SVG chart per gate, one point per measurement', async () => {
    const path = healthy.outputs['report-path'];
    expect(path).toMatch(new RegExp(`^${dir}/smoke-check-healthy\\.html$`));
    const html = readFileSync(path, 'utf8');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) blocked.push(r.url());
    });
    await page.goto(`file://${path}`);
    expect(await page.getAttribute('body', 'data-verdict')).toBe('passed');
    const gates = await page.$$eval('section.gate', (els) =>
      els.map((e) => ({
        name: e.getAttribute('data-gate'),
        phase: e.getAttribute('data-phase'),
        points: e.querySelectorAll('svg circle.point').length,
        rows: e.querySelectorAll('table.measurements tr').length - 1,
        // rendered: the chart has a real size on the page
        width: e.querySelector('svg')?.getBoundingClientRect().width ?? 0,
      })),
    );
    expect(gates).toEqual(
      ['error-ratio', 'latency-p95', 'target-up', 'workers-online'].map((name) => ({
        name,
        phase: 'Successful',
        points: 3,
        rows: 3,
        width: 640,
      })),
    );
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('fails an erroring release at the first measurement and stops the other gates (fail fast)', async () => {
    const r = await check('erroring');
    expect(r.outputs.verdict).toBe('failed');
    expect(r.code).toBe(1);
    expect(r.outputs['failed-gates']).toBe('error-ratio');
    expect(r.stdout).toMatch(
      /::error title=smoke-check%3A error-ratio::gate error-ratio: Failed — 1 failed measurement/,
    );
    expect(r.summary).toMatch(/### ❌ Failed — gate `error-ratio`/);
    expect(r.summary).toMatch(
      /\| 1 \| \+\d+ms \| 0\.2 \| Failed \| 0\.2 → failureCondition true: result >= 0\.05/,
    );
    // the healthy gates were stopped before their third measurement: the verdict could not change any more
    expect(r.summary.match(/⏭️ Skipped/g)?.length).toBe(3);
    // the verdict came from one measurement: nothing waited for the 2 s interval
    expect(r.stdout.match(/^gate /gm)?.length ?? 0).toBeLessThan(5);
  });

  it('fails a slow release on p95 latency', async () => {
    const r = await check('slow');
    expect(r.outputs.verdict).toBe('failed');
    expect(r.outputs['failed-gates']).toBe('latency-p95');
    expect(r.summary).toMatch(/successCondition false: result < 0\.5/);
  });

  it('fails a down release: the target is down and the probe cannot connect', async () => {
    const r = await check('down');
    expect(r.outputs.verdict).toBe('failed');
    expect(r.outputs['failed-gates']).toMatch(/probe:live/);
    expect(r.summary).toMatch(
      /\| live \| GET http:\/\/127\.0\.0\.1:33014\/health\/live \| — \| \d+ ms \| 2 \| ❌ unreachable: ECONNREFUSED/,
    );
    const html = readFileSync(r.outputs['report-path'], 'utf8');
    expect(html).toContain('data-verdict="failed"');
  });

  it('probes-only skips the gates', async () => {
    const r = await check('healthy', { 'probes-only': 'true' });
    expect(r.outputs.verdict).toBe('passed');
    expect(r.summary).not.toContain('gate `');
    expect(r.stdout).not.toMatch(/^gate /m);
  });

  it('an unreachable Prometheus is an error verdict after consecutiveErrorLimit retries, never a pass', async () => {
    const r = await check('healthy', { 'prometheus-url': 'http://127.0.0.1:33099' });
    expect(r.outputs.verdict).toBe('error');
    expect(r.code).toBe(1);
    expect(r.summary).toMatch(/Prometheus at http:\/\/127\.0\.0\.1:33099 is unreachable: ECONNREFUSED/);
    expect(r.summary).toMatch(/5 consecutive errors, more than consecutiveErrorLimit 4/);
    // 5 tries, 500 ms apart
    expect(r.ms).toBeGreaterThanOrEqual(2000);
  });

  it('a non-JSON answer (not Prometheus) is an error', async () => {
    const r = await check('healthy', { 'prometheus-url': 'http://127.0.0.1:33011' });
    expect(r.outputs.verdict).toBe('error');
    expect(r.summary).toMatch(/Prometheus answered non-JSON \(HTTP 200\): <html>not Prometheus/);
  });

  it("Prometheus' 4xx for a query it rejects is an error naming the reason", async () => {
    const gates = TEST_GATES.replace('query: up{job="$environment"}', 'query: rate(up{job="$environment"})');
    writeFileSync(join(dir, 'bad-type.yml'), gates);
    const r = await check('healthy', { 'gates-file': 'bad-type.yml' });
    expect(r.outputs.verdict).toBe('error');
    expect(r.summary).toMatch(/Prometheus answered HTTP 400: bad_data: .*range vector/);
  });

  it('bad input fails in about a second, before any measurement, naming file, gate and field', async () => {
    writeFileSync(join(dir, 'typo.yml'), TEST_GATES.replace('sum by (le) (rate(', 'sum by (le) (rate(('));
    const r = await check('healthy', { 'gates-file': 'typo.yml' });
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('error');
    expect(r.stdout).toMatch(
      /::error title=erp-deploy%3A bad input,file=.*typo\.yml,line=15::.*typo\.yml: gate latency-p95: query: invalid PromQL at column \d+/,
    );
    expect(r.stdout).not.toMatch(/^gate /m); // no measurement was taken
    const unknown = await check('healthy', { baseline: 'nowhere' });
    expect(unknown.stdout).toMatch(/baseline: expected none, previous or an environment/);
    const deadline = await check('healthy', { deadline: '3s' });
    expect(deadline.stdout).toMatch(/gate error-ratio: count: needs 4\.0s .* but the deadline is 3\.0s/);
  });

  describe('baselines', () => {
    const withBaseline = `${TEST_GATES.slice(0, TEST_GATES.indexOf('  - name: error-ratio'))}  - name: target-up
    query: up{job="$environment"}
    multiple: true
    successCondition: min(results) == 1
  - name: error-ratio-vs-baseline
    query: (sum(rate(http_requests_total{job="$environment",status="5xx"}[$window])) or vector(0)) / sum(rate(http_requests_total{job="$environment"}[$window]))
    successCondition: result <= baseline * 1.1 + 0.001
    baseline:
      offset: 2s
`;
    beforeAll(() => writeFileSync(join(dir, 'baseline.yml'), withBaseline));

    it('another environment as the baseline: erroring is worse than healthy', async () => {
      const r = await check('erroring', { 'gates-file': 'baseline.yml', baseline: 'healthy' });
      expect(r.outputs.verdict).toBe('failed');
      expect(r.outputs['failed-gates']).toBe('error-ratio-vs-baseline');
      expect(r.summary).toMatch(/\| 0\.2 \| 0 \| Failed \| 0\.2 \(baseline 0\) → successCondition false/);
    });

    it('the previous window as the baseline: a healthy release is no worse than itself 2 s earlier', async () => {
      const r = await check('healthy', { 'gates-file': 'baseline.yml', baseline: 'previous' });
      expect(r.outputs.verdict).toBe('passed');
      expect(r.summary).toMatch(/### ✅ Successful — gate `error-ratio-vs-baseline`/);
      expect(r.summary).toMatch(/\(baseline 0\) → successCondition true/);
    });

    it('without a baseline the relative gate is skipped, visibly', async () => {
      const r = await check('healthy', { 'gates-file': 'baseline.yml' });
      expect(r.outputs.verdict).toBe('passed');
      expect(r.summary).toMatch(
        /### ⏭️ Skipped — gate `error-ratio-vs-baseline`\n\nneeds a baseline; the run has baseline: none/,
      );
      expect(r.summary).toMatch(/### ✅ Successful — gate `target-up`/);
    });
  });
});
