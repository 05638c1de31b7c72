/**
 * The static checks against one broken fixture per check (each caught at the right file and line) and against
 * the project's own stack (nothing fails). Real tools: promtool, actionlint, git.
 */
import { join } from 'node:path';
import { runValidation } from '../../src/core/validate/index.js';
import type { Finding, ValidationReport } from '../../src/core/validate/types.js';

const FIXTURES = join(process.cwd(), 'test/fixtures/broken');

async function check(name: string): Promise<ValidationReport> {
  return runValidation({ root: join(FIXTURES, name), checks: [name] });
}

function at(report: ValidationReport): string[] {
  return report.results.flatMap((r) =>
    r.findings.map((f: Finding) => `${f.file}:${f.line ?? '?'}${f.rule ? ` ${f.rule}` : ''}`),
  );
}

describe('broken fixtures: each check catches its defect at the right place', () => {
  test('compose: a service without healthcheck, latest in production, an inline password', async () => {
    const r = await check('compose');
    expect(r.failed).toEqual(['compose']);
    expect(at(r).sort()).toEqual(
      [
        'compose/docker-compose.yml:8 CMP001', // web: no healthcheck (migrate is a one-off, api has one)
        'compose/docker-compose.production.yml:3 CMP002', // image: example/api:latest
        'compose/docker-compose.yml:7 CMP003', // DB_PASSWORD: hunter2…
      ].sort(),
    );
  });

  test('dockerfile: latest base via ARG default, root, no HEALTHCHECK, secret ENV, apt lists kept', async () => {
    const r = await check('dockerfile');
    expect(at(r)).toEqual([
      'compose/api/Dockerfile:2 DF001',
      'compose/api/Dockerfile:2 DF002',
      'compose/api/Dockerfile:2 DF003',
      'compose/api/Dockerfile:3 DF004',
      'compose/api/Dockerfile:4 DF005',
    ]);
  });

  test('prometheus: promtool rejects a rule expression, at its line and column', async () => {
    const r = await check('prometheus');
    expect(r.failed).toEqual(['prometheus']);
    const f = r.results[0].findings;
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ file: 'compose/prometheus/rules/api.yml', line: 5, col: 15 });
    expect(f[0].message).toMatch(/unclosed left parenthesis/);
  });

  test('alertmanager: amtool rejects a route to an undefined receiver, at that line', async () => {
    const r = await check('alertmanager');
    expect(r.results[0].findings).toEqual([
      expect.objectContaining({ file: 'compose/alertmanager/alertmanager.yml', line: 5, severity: 'error' }),
    ]);
    expect(r.results[0].findings[0].message).toMatch(/undefined receiver "pager"/);
  });

  test('gates: invalid PromQL in a gate query, through the gates engine', async () => {
    const r = await check('gates');
    expect(r.results[0].findings).toEqual([
      expect.objectContaining({ file: 'compose/gates.yml', line: 4, severity: 'error' }),
    ]);
    expect(r.results[0].findings[0].message).toMatch(/api-error-ratio.*PromQL/);
  });

  test('dashboards: duplicate uid, a query that does not parse, a fixed datasource', async () => {
    const r = await check('dashboards');
    expect(at(r)).toEqual([
      'compose/grafana/dashboards/copy.json:2 DASH002',
      'compose/grafana/dashboards/copy.json:14 DASH003',
      'compose/grafana/dashboards/copy.json:22 DASH004',
    ]);
  });

  test('workflows: actionlint rejects a misspelt action input', async () => {
    const r = await check('workflows');
    expect(r.failed).toEqual(['workflows']);
    expect(r.results[0].findings).toEqual([
      expect.objectContaining({ file: '.github/workflows/ci.yml', line: 12, col: 11, rule: 'action' }),
    ]);
  });

  test('secrets: a committed private key and a password in a URL (the ${VAR} URL is fine)', async () => {
    const r = await check('secrets');
    expect(at(r).sort()).toEqual(['deploy/app.env:1 SEC005', 'deploy/id_ed25519:2 SEC001']);
    // the message never repeats the secret
    expect(JSON.stringify(r)).not.toMatch(/Sup3rS3cret/);
  });
});

describe("the project's own stack", () => {
  test('every check that can run here passes; the others say why they could not', async () => {
    const r = await runValidation({ root: process.cwd() });
    const failures = r.results.flatMap((x) =>
      x.findings
        .filter((f) => f.severity === 'error')
        .map((f) => `${x.name}: ${f.file}:${f.line} ${f.message}`),
    );
    expect(failures).toEqual([]);
    expect(r.failed).toEqual([]);
    for (const s of r.results.filter((x) => x.status === 'skipped')) expect(s.skipped).toMatch(/\S{10,}/);
    // the checks that need only this machine's tools really ran
    expect(r.passed).toEqual(
      expect.arrayContaining([
        'compose',
        'dockerfile',
        'prometheus',
        'alertmanager',
        'gates',
        'dashboards',
        'workflows',
        'secrets',
      ]),
    );
  }, 120_000);
});
