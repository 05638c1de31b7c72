import { runPipeline } from '../../src/core/pipeline/run.js';
import { pipelineMarkdown, pipelineOutputs, whereToLook } from '../../src/core/pipeline/summary.js';
import type {
  CheckOutcome,
  DeployOutcome,
  PipelineOptions,
  PipelineSteps,
} from '../../src/core/pipeline/types.js';
import type { BuiltImage } from '../../src/core/images/types.js';
import { InputError } from '../../src/core/errors.js';
import { MemoryLogger } from '../../src/core/log.js';

const image = (service: string, status: BuiltImage['status'] = 'built'): BuiltImage => ({
  service,
  image: `erp/${service}`,
  tag: 'sha-abc1234',
  tags: ['sha-abc1234'],
  digest: '',
  imageId: `sha256:${service.padEnd(64, '0')}`,
  ref: `erp/${service}:sha-abc1234`,
  sizeBytes: 1,
  status,
  seconds: 1,
});

interface Script {
  testOk?: boolean;
  buildOk?: boolean;
  deploy?: Record<string, Partial<DeployOutcome> | Error>;
  check?: Record<string, Partial<CheckOutcome> | Error>;
  rollbackOk?: boolean;
}

/** In-memory steps that record every call in order, as the workflow's job log would. */
function fakeSteps(script: Script = {}): { steps: PipelineSteps; calls: string[]; requests: unknown[] } {
  const calls: string[] = [];
  const requests: unknown[] = [];
  const steps: PipelineSteps = {
    async test() {
      calls.push('test');
      return { ok: script.testOk ?? true, failedChecks: script.testOk === false ? ['gates-file'] : [] };
    },
    async build(release) {
      calls.push('build');
      requests.push({ build: release });
      const ok = script.buildOk ?? true;
      return { ok, images: { api: image('api', ok ? 'built' : 'failed') }, metadataPath: '/tmp/build.json' };
    },
    async deploy(req) {
      calls.push(`deploy ${req.environment}`);
      requests.push(req);
      const s = script.deploy?.[req.environment];
      if (s instanceof Error) throw s;
      return {
        ok: true,
        releaseId: `${req.release}`,
        previousReleaseId: `prev-${req.environment}`,
        url: `http://${req.environment}.test`,
        changed: true,
        ...s,
      };
    },
    async check(req) {
      calls.push(`check ${req.environment}`);
      requests.push(req);
      const s = script.check?.[req.environment];
      if (s instanceof Error) throw s;
      return { verdict: 'passed', failedGates: [], reportPath: `/r/${req.environment}.md`, ...s };
    },
    async rollback(req) {
      calls.push(`rollback ${req.environment}`);
      requests.push(req);
      const ok = script.rollbackOk ?? true;
      return { ok, releaseId: req.toRelease, message: ok ? undefined : 'target unreachable' };
    },
  };
  return { steps, calls, requests };
}

const opts = (o: Partial<PipelineOptions> = {}): PipelineOptions => ({
  release: 'sha-abc1234',
  stagingEnvironment: 'staging',
  productionEnvironment: 'production',
  ...o,
});

describe('pipeline orchestration (the reusable workflow, locally)', () => {
  it('runs every step in the workflow order and passes', async () => {
    const { steps, calls, requests } = fakeSteps();
    const r = await runPipeline(steps, opts(), new MemoryLogger());
    expect(calls).toEqual([
      'test',
      'build',
      'deploy staging',
      'check staging',
      'deploy production',
      'check production',
    ]);
    expect(r.ok).toBe(true);
    expect(r.failure).toBeUndefined();
    // the images built are the images deployed, to both environments, with the same release id
    expect(requests[1]).toMatchObject({
      environment: 'staging',
      release: 'sha-abc1234',
      images: { api: { ref: 'erp/api:sha-abc1234' } },
    });
    expect(requests[3]).toMatchObject({ environment: 'production', release: 'sha-abc1234' });
    // the gate compares against the release the environment ran before
    expect(requests[2]).toEqual({
      environment: 'staging',
      release: 'sha-abc1234',
      baselineRelease: 'prev-staging',
    });
    expect(pipelineOutputs(r, 'staging', 'production')).toMatchObject({
      'staging-verdict': 'passed',
      'production-verdict': 'passed',
      'production-release-id': 'sha-abc1234',
    });
    expect(whereToLook(r)).toEqual([
      'build metadata: /tmp/build.json',
      'staging: http://staging.test (release sha-abc1234)',
      'staging gate report: /r/staging.md',
      'production: http://production.test (release sha-abc1234)',
      'production gate report: /r/production.md',
    ]);
  });

  it('a failed staging gate rolls staging back and never touches production', async () => {
    const { steps, calls, requests } = fakeSteps({
      check: { staging: { verdict: 'failed', failedGates: ['error-rate', 'p95'] } },
    });
    const r = await runPipeline(steps, opts(), new MemoryLogger());
    expect(calls).toEqual(['test', 'build', 'deploy staging', 'check staging', 'rollback staging']);
    expect(r.ok).toBe(false);
    expect(r.failure).toBe(
      'gate failed on staging: failed: error-rate, p95; staging rolled back to prev-staging',
    );
    expect(requests.at(-1)).toEqual({
      environment: 'staging',
      toRelease: 'prev-staging',
      reason: 'gate failed on staging: failed: error-rate, p95',
    });
    expect(r.stages.filter((s) => s.environment === 'production').map((s) => s.status)).toEqual([
      'skipped',
      'skipped',
    ]);
    expect(r.environments.production).toBeUndefined();
    expect(pipelineMarkdown(r)).toContain(
      '**gate failed on staging: failed: error-rate, p95; staging rolled back to prev-staging**',
    );
  });

  it.each(['inconclusive', 'error'] as const)('an %s staging verdict is not a pass', async (verdict) => {
    const { steps, calls } = fakeSteps({ check: { staging: { verdict, failedGates: ['latency'] } } });
    const r = await runPipeline(steps, opts(), new MemoryLogger());
    expect(calls.at(-1)).toBe('rollback staging');
    expect(calls).not.toContain('deploy production');
    expect(r.environments.staging.verdict).toBe(verdict);
  });

  it('a gate that throws counts as an error verdict and rolls back', async () => {
    const { steps, calls } = fakeSteps({ check: { staging: new Error('prometheus unreachable') } });
    const r = await runPipeline(steps, opts(), new MemoryLogger());
    expect(calls).toEqual(['test', 'build', 'deploy staging', 'check staging', 'rollback staging']);
    expect(r.environments.staging.verdict).toBe('error');
    expect(r.failure).toMatch(/^gate failed on staging: prometheus unreachable; staging rolled back/);
  });

  it('a failed production gate rolls back production only', async () => {
    const { steps, calls } = fakeSteps({
      check: { production: { verdict: 'failed', failedGates: ['saturation'] } },
    });
    const r = await runPipeline(steps, opts(), new MemoryLogger());
    expect(calls).toEqual([
      'test',
      'build',
      'deploy staging',
      'check staging',
      'deploy production',
      'check production',
      'rollback production',
    ]);
    expect(r.ok).toBe(false);
    expect(r.environments.staging.rolledBack).toBeUndefined();
    expect(r.environments.production.rolledBack).toEqual({
      ok: true,
      releaseId: 'prev-production',
      message: undefined,
    });
  });

  it('a failed rollout that changed the target is rolled back; one that changed nothing is not', async () => {
    const changed = fakeSteps({
      deploy: { staging: { ok: false, changed: true, message: 'api unhealthy after 180s' } },
    });
    const r1 = await runPipeline(changed.steps, opts(), new MemoryLogger());
    expect(changed.calls).toEqual(['test', 'build', 'deploy staging', 'rollback staging']);
    expect(r1.failure).toBe(
      'deploy failed on staging: api unhealthy after 180s; staging rolled back to prev-staging',
    );

    const unchanged = fakeSteps({ deploy: { staging: new Error('lock held by ci-42') } });
    const r2 = await runPipeline(unchanged.steps, opts(), new MemoryLogger());
    expect(unchanged.calls).toEqual(['test', 'build', 'deploy staging']);
    expect(r2.failure).toBe('deploy failed on staging: lock held by ci-42');
    expect(r2.stages.map((s) => `${s.name}:${s.status}`)).toEqual([
      'test:passed',
      'build:passed',
      'deploy staging:failed',
      'check staging:skipped',
      'rollback staging:skipped',
      'deploy production:skipped',
      'check production:skipped',
    ]);
  });

  it('does not roll back twice when the rollout already restored the previous release', async () => {
    const { steps, calls } = fakeSteps({
      deploy: {
        staging: { ok: false, changed: true, rolledBackTo: 'prev-staging', message: 'worker unhealthy' },
      },
    });
    const r = await runPipeline(steps, opts(), new MemoryLogger());
    expect(calls).toEqual(['test', 'build', 'deploy staging']);
    expect(r.failure).toBe('deploy failed on staging: worker unhealthy; staging rolled back to prev-staging');
    expect(r.stages.find((s) => s.name === 'rollback staging')).toMatchObject({ status: 'passed' });
    expect(r.environments.staging.rolledBack).toEqual({ ok: true, releaseId: 'prev-staging' });
  });

  it('reports a rollback that failed loudly', async () => {
    const { steps } = fakeSteps({
      check: { staging: { verdict: 'failed', failedGates: ['x'] } },
      rollbackOk: false,
    });
    const r = await runPipeline(steps, opts(), new MemoryLogger());
    expect(r.failure).toMatch(/staging ROLLBACK FAILED: target unreachable$/);
    expect(whereToLook(r)).toContain('staging rollback: failed (target unreachable)');
  });

  it('stops before building when tests fail and before deploying when the build fails', async () => {
    const t = fakeSteps({ testOk: false });
    expect((await runPipeline(t.steps, opts(), new MemoryLogger())).failure).toBe(
      'tests failed: failed checks: gates-file',
    );
    expect(t.calls).toEqual(['test']);
    const b = fakeSteps({ buildOk: false });
    expect((await runPipeline(b.steps, opts(), new MemoryLogger())).failure).toBe(
      'build failed: failed: api',
    );
    expect(b.calls).toEqual(['test', 'build']);
  });

  it('bad input propagates as InputError and nothing after it runs', async () => {
    const { steps, calls } = fakeSteps({
      deploy: { staging: new InputError('unknown environment', 'erp-deploy.yml') },
    });
    await expect(runPipeline(steps, opts(), new MemoryLogger())).rejects.toBeInstanceOf(InputError);
    expect(calls).toEqual(['test', 'build', 'deploy staging']);
  });

  it('skips staging only for a hotfix with a reason', async () => {
    const { steps, calls } = fakeSteps();
    const r = await runPipeline(
      steps,
      opts({ skipStaging: { reason: 'INC-7 checkout down' } }),
      new MemoryLogger(),
    );
    expect(calls).toEqual(['test', 'build', 'deploy production', 'check production']);
    expect(r.stages.find((s) => s.name === 'deploy staging')).toMatchObject({
      status: 'skipped',
      detail: 'hotfix: INC-7 checkout down',
    });
    await expect(
      runPipeline(steps, opts({ skipStaging: { reason: '  ' } }), new MemoryLogger()),
    ).rejects.toThrow(/needs a reason/);
  });

  it('stops after staging when asked, and rejects contradictory options', async () => {
    const { steps, calls } = fakeSteps();
    const r = await runPipeline(steps, opts({ stagingOnly: true }), new MemoryLogger());
    expect(r.ok).toBe(true);
    expect(calls).toEqual(['test', 'build', 'deploy staging', 'check staging']);
    await expect(
      runPipeline(steps, opts({ productionEnvironment: 'staging' }), new MemoryLogger()),
    ).rejects.toThrow(/must be different environments/);
    await expect(runPipeline(steps, opts({ release: '' }), new MemoryLogger())).rejects.toThrow(/release id/);
  });

  it('logs each stage in its own group', async () => {
    const log = new MemoryLogger();
    await runPipeline(fakeSteps().steps, opts(), log);
    expect(log.lines.filter((l) => l.startsWith('group: '))).toEqual([
      'group: test',
      'group: build',
      'group: deploy staging',
      'group: check staging',
      'group: deploy production',
      'group: check production',
    ]);
  });
});
