/**
 * Walks the reusable workflow's job graph (the real .github/workflows/pipeline.yml) and proves its guarantees:
 * production needs a successful staging gate (or an explicit hotfix), rollbacks run only on failure and only
 * for the environment that failed, permissions are least-privilege, third-party actions are SHA-pinned.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ancestors, evaluate, loadJobs, simulate, type Scenario } from '../helpers/workflow-sim.js';

const text = readFileSync('.github/workflows/pipeline.yml', 'utf8');
const wf = parse(text) as {
  on: { workflow_call: { inputs: Record<string, { default?: unknown }>; secrets: Record<string, unknown> } };
  permissions: unknown;
  jobs: Record<string, Record<string, unknown>>;
};
const jobs = loadJobs(text);
const defaults = Object.fromEntries(
  Object.entries(wf.on.workflow_call.inputs).map(([k, v]) => [k, (v.default ?? '') as string | boolean]),
);

/** Jobs that run a sub-action with the given `command` input against the given environment input. */
function jobsRunning(command: string, envInput: string): string[] {
  return Object.entries(wf.jobs)
    .filter(([, j]) =>
      ((j.steps ?? []) as Record<string, unknown>[]).some((s) => {
        const w = (s.with ?? {}) as Record<string, string>;
        return (
          String(s.uses ?? '').includes('/actions/deploy-env@') &&
          w.command === command &&
          w.environment?.includes(envInput)
        );
      }),
    )
    .map(([id]) => id);
}
const deploysTo = (env: string) => jobsRunning('deploy', `inputs.${env}-environment`);
const rollsBack = (env: string) => jobsRunning('rollback', `inputs.${env}-environment`);
const gatesOf = (env: string) =>
  Object.entries(wf.jobs)
    .filter(([, j]) =>
      ((j.steps ?? []) as Record<string, unknown>[]).some(
        (s) =>
          String(s.uses ?? '').includes('/actions/smoke-check@') &&
          String((s.with as Record<string, string>)?.environment).includes(`inputs.${env}-environment`),
      ),
    )
    .map(([id]) => id);

describe('reusable pipeline: job graph', () => {
  it('has one deploy, gate and rollback job per environment, in the pipeline order', () => {
    expect(deploysTo('staging')).toEqual(['deploy-staging']);
    expect(deploysTo('production')).toEqual(['deploy-production']);
    expect(gatesOf('staging')).toEqual(['check-staging']);
    expect(gatesOf('production')).toEqual(['check-production']);
    expect(rollsBack('staging')).toEqual(['rollback-staging']);
    expect(rollsBack('production')).toEqual(['rollback-production']);
    // test → build → deploy staging → check staging → deploy production → check production
    const chain = [
      'test',
      'build',
      'deploy-staging',
      'check-staging',
      'deploy-production',
      'check-production',
    ];
    for (let k = 1; k < chain.length; k++) {
      if (chain[k] === 'deploy-production') expect(jobs[chain[k]].needs).toContain('check-staging');
      expect(ancestors(jobs, chain[k])).toContain(chain[k - 1]);
    }
  });

  it('production is reachable only through a passed staging gate', () => {
    for (const id of [...deploysTo('production'), ...gatesOf('production')]) {
      expect(ancestors(jobs, id)).toContain('check-staging');
    }
    // the condition itself: check-staging must be success, unless a hotfix skipped staging entirely
    const cond = jobs['deploy-production'].if!;
    const ctx = (check: string, skip: boolean) => ({
      inputs: { ...defaults, 'skip-staging': skip },
      needs: {
        plan: { result: 'success' as const, outputs: {} },
        build: { result: 'success' as const, outputs: {} },
        'check-staging': { result: check as 'success', outputs: {} },
      },
      status: { success: check === 'success', failure: check === 'failure', cancelled: false },
    });
    expect(evaluate(cond, ctx('success', false))).toBe(true);
    for (const r of ['failure', 'skipped', 'cancelled']) expect(evaluate(cond, ctx(r, false))).toBe(false);
    expect(evaluate(cond, ctx('skipped', true))).toBe(true);
    expect(evaluate(cond, ctx('failure', true))).toBe(false);
  });

  it('only deploy jobs name a GitHub environment (approvals once; rollbacks never wait for a reviewer)', () => {
    const withEnv = Object.entries(wf.jobs).filter(([, j]) => j.environment !== undefined);
    expect(withEnv.map(([id]) => id).sort()).toEqual(['deploy-production', 'deploy-staging']);
    expect(wf.jobs['deploy-production'].environment).toMatchObject({
      name: '${{ inputs.production-environment }}',
    });
    expect(wf.jobs['deploy-staging'].environment).toMatchObject({
      name: '${{ inputs.staging-environment }}',
    });
  });

  it('serialises deploys per environment and never cancels one in progress', () => {
    for (const env of ['staging', 'production']) {
      const c = wf.jobs[`deploy-${env}`].concurrency as { group: string; 'cancel-in-progress': boolean };
      expect(c.group).toContain(`inputs.${env}-environment`);
      expect(c['cancel-in-progress']).toBe(false);
    }
  });

  it('rollback jobs call failure() and roll back the release that ran before', () => {
    for (const env of ['staging', 'production']) {
      const j = wf.jobs[`rollback-${env}`];
      expect(String(j.if)).toMatch(/\bfailure\(\)/);
      const step = (j.steps as Record<string, Record<string, string>>[]).find(
        (s) => s.with?.command === 'rollback',
      )!;
      expect(step.with.release).toBe(`\${{ needs.deploy-${env}.outputs.previous-release-id || 'previous' }}`);
    }
  });
});

describe('reusable pipeline: every failure combination (simulated on the real graph)', () => {
  const failing = [
    'plan',
    'test',
    'build',
    'deploy-staging',
    'check-staging',
    'deploy-production',
    'check-production',
  ];
  const scenarios: { name: string; s: Scenario }[] = [];
  for (let mask = 0; mask < 1 << failing.length; mask++) {
    for (const [changed, autoRollback] of [
      ['true', false],
      ['true', true],
      ['false', false],
    ] as const) {
      for (const [skip, stagingOnly] of [
        [false, false],
        [true, false],
        [false, true],
      ]) {
        const fails = failing.filter((_, k) => mask & (1 << k));
        const outcome: Scenario['outcome'] = {};
        for (const f of fails) outcome[f] = { result: 'failure' };
        for (const env of ['staging', 'production']) {
          // a failed rollout either left the new release r2 serving, or restored r1 by itself (automatic rollback)
          const restored = autoRollback && outcome[`deploy-${env}`]?.result === 'failure';
          outcome[`deploy-${env}`] = {
            ...outcome[`deploy-${env}`],
            outputs: { 'release-id': restored ? 'r1' : 'r2', 'previous-release-id': 'r1', changed },
          };
        }
        scenarios.push({
          name: `fail [${fails.join(',')}] changed=${changed} autoRollback=${autoRollback} skip=${skip} stagingOnly=${stagingOnly}`,
          s: { inputs: { ...defaults, 'skip-staging': skip, 'staging-only': stagingOnly }, outcome },
        });
      }
    }
  }

  it(`holds in all ${scenarios.length} scenarios`, () => {
    for (const { name, s } of scenarios) {
      const r = simulate(jobs, s);
      const ran = (id: string) => r[id] === 'success' || r[id] === 'failure';
      const ctx = `scenario ${name}: ${JSON.stringify(r)}`;
      const skip = s.inputs['skip-staging'] === true;
      // production is touched only after a passed staging gate, or a hotfix that skipped staging
      if (ran('deploy-production')) {
        expect([ctx, skip ? r['deploy-staging'] : r['check-staging']]).toEqual([
          ctx,
          skip ? 'skipped' : 'success',
        ]);
        expect([ctx, r.build]).toEqual([ctx, 'success']);
      }
      if (s.inputs['staging-only'] === true) expect([ctx, ran('deploy-production')]).toEqual([ctx, false]);
      for (const env of ['staging', 'production']) {
        const gateFailed = r[`check-${env}`] === 'failure';
        const out = s.outcome![`deploy-${env}`].outputs!;
        const deployFailedAfterChange =
          r[`deploy-${env}`] === 'failure' &&
          out.changed === 'true' &&
          out['release-id'] !== out['previous-release-id'];
        // rollback runs exactly when that environment's gate failed or its rollout failed after changing it
        expect([ctx, env, ran(`rollback-${env}`)]).toEqual([ctx, env, gateFailed || deployFailedAfterChange]);
      }
      // nothing is deployed when plan (input validation), test or build failed
      if (r.plan === 'failure' || r.test === 'failure' || r.build === 'failure') {
        expect([ctx, ran('deploy-staging') || ran('deploy-production')]).toEqual([ctx, false]);
      }
      // the report always runs, and the run fails when anything failed
      expect([ctx, ran('report')]).toEqual([ctx, true]);
    }
  });

  it('a failed staging gate leaves production untouched and rolls staging back', () => {
    const r = simulate(jobs, {
      inputs: defaults,
      outcome: {
        'deploy-staging': { outputs: { 'release-id': 'r2', 'previous-release-id': 'r1', changed: 'true' } },
        'check-staging': { result: 'failure' },
      },
    });
    expect(r).toMatchObject({
      'rollback-staging': 'success',
      'deploy-production': 'skipped',
      'check-production': 'skipped',
      'rollback-production': 'skipped',
      report: 'success',
    });
  });

  it('the happy path runs every stage and no rollback', () => {
    const r = simulate(jobs, { inputs: defaults });
    expect(
      Object.entries(r)
        .filter(([, v]) => v === 'skipped')
        .map(([k]) => k)
        .sort(),
    ).toEqual(['rollback-production', 'rollback-staging']);
  });
});
