/** `erp-deploy check <env>` against a real Prometheus: progress lines, the report table, exit codes 0 / 1 / 2. */
import { jest } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { MemoryLogger } from '../../src/core/log.js';
import { Stack, TEST_GATES, writeProject } from './gates-stack.js';

// jest.config.js' per-project testTimeout is not applied by jest 29 (it warns "Unknown option"): set it here.
jest.setTimeout(120_000);

const TOKEN = 'cli-t0ken-77';
// Other ports than gates-smoke-check.test.ts: the two files may run one after the other with no gap.
const stack = new Stack(TOKEN, 33050, {
  healthy: { port: 33061, mode: 'healthy' },
  erroring: { port: 33062, mode: 'erroring' },
});
let dir: string;
let config: string;

async function cli(args: string[]): Promise<{ code: number; out: string; log: string }> {
  const logger = new MemoryLogger();
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => chunks.push(s) > 0) as typeof process.stdout.write;
  process.env.SMOKE_TOKEN = TOKEN;
  try {
    // main() wants the CLI's logger; the in-memory one has the same Logger interface.
    const code = await main(
      ['--config', config, 'check', ...args],
      logger as unknown as Parameters<typeof main>[1],
    );
    return { code, out: chunks.join(''), log: logger.text() };
  } finally {
    process.stdout.write = write;
    delete process.env.SMOKE_TOKEN;
  }
}

beforeAll(async () => {
  await stack.start();
  dir = mkdtempSync(join(tmpdir(), 'erp-cli-check-'));
  config = writeProject(dir, stack, TEST_GATES);
  await stack.warm();
}, 90_000);

afterAll(() => stack.stop(), 30_000);

describe('erp-deploy check', () => {
  it('passes a healthy environment: progress per measurement, the same table, exit 0', async () => {
    const r = await cli(['healthy', '--report-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.log).toMatch(/group: check healthy/);
    expect(r.log).toMatch(/info: gate error-ratio #1\/3: Successful 0 — /);
    expect(r.log).toMatch(/info: gate error-ratio #3\/3: Successful 0 — /);
    expect(r.out).toContain('## Smoke check of healthy: ✅ passed');
    expect(r.out).toMatch(/\| # \| at \| value \| measurement \| why \|/);
    expect(r.out).toContain(`verdict: passed\nreport: ${join(dir, 'smoke-check-healthy.html')}`);
  }, 60_000);

  it('exits 1 on a failed verdict', async () => {
    const r = await cli(['erroring', '--report-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('verdict: failed');
  }, 60_000);

  it('exits 2 on bad input, before measuring', async () => {
    writeFileSync(
      join(dir, 'bad.yml'),
      TEST_GATES.replace('successCondition: result >= 1', 'successCondition: result >=> 1'),
    );
    const r = await cli(['healthy', '--gates-file', 'bad.yml']);
    expect(r.code).toBe(2);
    expect(r.log).toMatch(
      /bad\.yml: gate workers-online: successCondition: invalid condition: expected a value but found ">" at column 10/,
    );
    expect(r.log).not.toMatch(/gate .* #1/);
    expect((await cli(['nowhere'])).code).toBe(2);
  }, 60_000);
});
