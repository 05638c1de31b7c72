/** `erp-deploy pipeline`: the reusable workflow's inputs as flags, and bad input refused before anything runs. */
import { mkdtempSync, writeFileSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Command } from 'commander';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { registerPipeline } from '../../src/cli/commands/pipeline.js';
import { MemoryLogger } from '../../src/core/log.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'erp-pipeline-cli-'));
  writeFileSync(join(dir, 'erp-deploy.yml'), 'version: 1\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; log: string }> {
  const logger = new MemoryLogger();
  const code = await main(
    ['-c', join(dir, 'erp-deploy.yml'), 'pipeline', '--output-dir', join(dir, 'out'), ...args],
    logger as never,
  );
  return { code, log: logger.text() };
}

describe('erp-deploy pipeline: bad input (exit 2, nothing runs)', () => {
  it('refuses skip-staging without a reason', async () => {
    const r = await cli('--skip-staging');
    expect(r.code).toBe(2);
    expect(r.log).toMatch(
      /skip-staging-reason: skipping staging is for production hotfixes only and needs a reason/,
    );
    expect(r.log).not.toMatch(/group: test/);
  });

  it('refuses a reason without skip-staging, an unknown environment and a bad lock wait', async () => {
    expect((await cli('--skip-staging-reason', 'x')).code).toBe(2);
    const unknown = await cli('--production-environment', 'prod');
    expect(unknown.code).toBe(2);
    expect(unknown.log).toMatch(/unknown environment "prod"; expected one of staging, production/);
    expect((await cli('--lock-wait', 'soon')).code).toBe(2);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('erp-deploy pipeline: the same inputs as the reusable workflow', () => {
  it('has a flag for every workflow_call input that means something locally', () => {
    const wf = parse(readFileSync('.github/workflows/pipeline.yml', 'utf8')) as {
      on: { workflow_call: { inputs: Record<string, unknown> } };
    };
    const program = new Command();
    registerPipeline(program, { logger: new MemoryLogger(), setExit: () => undefined });
    const flags = program.commands[0].options.map((o) => o.long?.replace(/^--/, ''));
    // runner-only inputs: the runner label, the Python of the runner, the git ref to check out, the config
    // (the CLI's global --config)
    const runnerOnly = ['runs-on', 'python-version', 'ref', 'config'];
    for (const input of Object.keys(wf.on.workflow_call.inputs)) {
      if (runnerOnly.includes(input)) continue;
      expect([input, flags.includes(input)]).toEqual([input, true]);
    }
  });
});
