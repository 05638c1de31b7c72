import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  runValidation,
  selectChecks,
  validationMarkdown,
  validationText,
  writeStarter,
  STARTER_CONFIG,
} from '../../src/core/validate/index.js';
import { InputError } from '../../src/core/errors.js';
import { MemoryLogger } from '../../src/core/log.js';
import { parseConfig } from '../../src/core/config/load.js';
import { main } from '../../src/cli/main.js';
import type { Check } from '../../src/core/validate/types.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'erp-validate-'));

/** The CLI with an in-memory logger (main's parameter is typed by its default, the terminal logger). */
const cli = (args: string[], logger: MemoryLogger): Promise<number> =>
  main(args, logger as unknown as Parameters<typeof main>[1]);

const fake = (name: string, run: Check['run']): Check => ({ name, title: name, run });

describe('runValidation', () => {
  const available = [
    fake('ok', async () => ({
      findings: [{ file: 'a', line: 1, severity: 'warning', message: 'w' }],
      checked: ['a'],
    })),
    fake('bad', async () => ({
      findings: [
        { file: 'b', line: 2, severity: 'error', message: 'e' },
        { file: 'b', line: 2, severity: 'error', message: 'e' },
      ],
      checked: ['b'],
    })),
    fake('cannot', async () => ({ findings: [], checked: [], skipped: 'tool missing' })),
    fake('crash', async () => {
      throw new Error('boom');
    }),
  ];

  test('passed, failed (duplicates counted once), skipped with a reason, a crash is a failure', async () => {
    const logger = new MemoryLogger();
    const r = await runValidation({ root: tmp(), available, logger });
    expect(r.passed).toEqual(['ok']); // a warning does not fail
    expect(r.failed).toEqual(['bad', 'crash']);
    expect(r.skipped).toEqual(['cannot']);
    expect(r.ok).toBe(false);
    expect(r.results[1].findings).toHaveLength(1);
    expect(r.results[3].findings[0].message).toMatch(/crashed: boom/);
    expect(logger.text()).toMatch(/cannot: skipped: tool missing/);
    expect(r.configProblem).toMatch(/erp-deploy init/);
    const md = validationMarkdown(r);
    expect(md).toMatch(/\| cannot \| ⚪ skipped \|/);
    expect(md).toMatch(/- cannot: tool missing/);
    expect(md).toMatch(/`b:2` \| e/);
    expect(validationText(r)).toMatch(/FAILED: 1 passed, 2 failed, 1 could not run/);
  });

  test('a selection runs only those checks; an unknown name is bad input naming the known ones', async () => {
    expect(selectChecks(['ok', 'cannot'], available).map((c) => c.name)).toEqual(['ok', 'cannot']);
    expect(selectChecks(['all'], available)).toHaveLength(4);
    expect(() => selectChecks(['nope'], available)).toThrow(InputError);
    expect(() => selectChecks(['nope'], available)).toThrow(/expected some of: all, ok, bad, cannot, crash/);
  });
});

describe('init and a repository without the expected files', () => {
  test('the starter configuration is valid and init lists what else is missing', () => {
    const dir = tmp();
    expect(() => parseConfig(STARTER_CONFIG, 'erp-deploy.yml')).not.toThrow();
    const r = writeStarter(dir);
    expect(readFileSync(r.file, 'utf8')).toBe(STARTER_CONFIG);
    expect(r.missing.map((m) => m.path)).toEqual([
      'compose/docker-compose.yml',
      'compose/docker-compose.staging.yml',
      'compose/docker-compose.production.yml',
      'compose/gates.yml',
      'compose/prometheus/',
    ]);
    expect(() => writeStarter(dir)).toThrow(/already exists; pass --force/);
    expect(() => writeStarter(dir, { force: true })).not.toThrow();
  });

  test('erp-deploy validate without a configuration: exit 2 and the list of what to create, no stack trace', async () => {
    const dir = tmp();
    const logger = new MemoryLogger();
    const code = await cli(['-c', join(dir, 'erp-deploy.yml'), 'validate'], logger);
    expect(code).toBe(2);
    expect(logger.text()).toMatch(/erp-deploy.yml not found \(create one with `erp-deploy init`\)/);
    expect(logger.text()).toMatch(
      /missing files erp-deploy needs:[\s\S]*compose file: compose\/docker-compose.yml/,
    );
    expect(logger.text()).not.toMatch(/\bat .*\.ts:\d+/);
  });

  test('erp-deploy init then validate: the checks run and say what could not run', async () => {
    const dir = tmp();
    const logger = new MemoryLogger();
    expect(await cli(['-c', join(dir, 'erp-deploy.yml'), 'init'], logger)).toBe(0);
    expect(logger.text()).toMatch(/wrote .*erp-deploy.yml/);
    mkdirSync(join(dir, 'compose'));
    writeFileSync(join(dir, 'compose/gates.yml'), 'version: 1\ngates: []\n');
    const code = await cli(
      ['-c', join(dir, 'erp-deploy.yml'), 'validate', '--checks', 'gates,dashboards'],
      logger,
    );
    expect(code).toBe(1); // an empty gates file is a finding
    expect(logger.text()).toMatch(/dashboards: skipped: no dashboards/);
  });
});
