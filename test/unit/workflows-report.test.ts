/**
 * The reusable workflow's report job, executed: its script (from pipeline.yml) gets the `needs` context of a run
 * and must name the failed gate in the job summary, annotate it, and fail the run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';

const wf = parse(readFileSync('.github/workflows/pipeline.yml', 'utf8')) as {
  jobs: Record<string, { needs: string[]; steps: { name?: string; run?: string }[] }>;
};
const report = wf.jobs.report;
const script = report.steps.find((s) => s.name?.startsWith('Summary'))!.run!;

type Needs = Record<string, { result: string; outputs: Record<string, string> }>;
function needsOf(over: Partial<Needs>): Needs {
  const all = Object.fromEntries(report.needs.map((j) => [j, { result: 'success', outputs: {} }])) as Needs;
  return { ...all, ...over } as Needs;
}

function runReport(needs: Needs, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'erp-report-'));
  const summary = join(dir, 'summary.md');
  writeFileSync(summary, '');
  try {
    const r = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', script], {
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NEEDS: JSON.stringify(needs),
        RELEASE: 'sha-abc1234',
        STAGING: 'staging',
        PRODUCTION: 'production',
        HOTFIX_REASON: '',
        GITHUB_STEP_SUMMARY: summary,
        ...env,
      },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, summary: readFileSync(summary, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('pipeline report job', () => {
  it('passes and tabulates every job when everything passed', () => {
    const r = runReport(
      needsOf({
        'deploy-staging': { result: 'success', outputs: { 'release-id': 'r-7' } },
        'check-staging': { result: 'success', outputs: { verdict: 'passed' } },
        'rollback-staging': { result: 'skipped', outputs: {} },
        'rollback-production': { result: 'skipped', outputs: {} },
      }),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.summary).toContain('## erp-deploy pipeline — release `sha-abc1234`');
    expect(r.summary).toContain('| deploy-staging | ✅ success | r-7 |  |');
    expect(r.summary).toContain('| check-staging | ✅ success |  | passed |');
    expect(r.summary).not.toMatch(/\*\*/);
  });

  it('names the failed staging gate, the rollback, and fails the run', () => {
    const r = runReport(
      needsOf({
        'check-staging': {
          result: 'failure',
          outputs: { verdict: 'failed', 'failed-gates': 'error-rate,probe:readiness' },
        },
        'rollback-staging': { result: 'success', outputs: {} },
        'deploy-production': { result: 'skipped', outputs: {} },
        'check-production': { result: 'skipped', outputs: {} },
        'rollback-production': { result: 'skipped', outputs: {} },
      }),
    );
    expect(r.status).toBe(1);
    expect(r.summary).toContain(
      '**gate failed on staging (failed): error-rate,probe:readiness; rollback done**',
    );
    expect(r.stdout).toContain(
      '::error title=erp-deploy pipeline::gate failed on staging (failed): error-rate,probe:readiness; rollback done',
    );
  });

  it('reports a hotfix and a failed production deploy', () => {
    const r = runReport(
      needsOf({
        'deploy-staging': { result: 'skipped', outputs: {} },
        'check-staging': { result: 'skipped', outputs: {} },
        'rollback-staging': { result: 'skipped', outputs: {} },
        'deploy-production': { result: 'failure', outputs: {} },
        'check-production': { result: 'skipped', outputs: {} },
        'rollback-production': { result: 'success', outputs: {} },
      }),
      { HOTFIX_REASON: 'INC-7 checkout down' },
    );
    expect(r.status).toBe(1);
    expect(r.summary).toContain('> Hotfix: staging skipped — INC-7 checkout down');
    expect(r.summary).toContain('**deploy failed on production; rollback success**');
  });
});
