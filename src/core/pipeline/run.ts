/**
 * Runs the reusable workflow's jobs in the workflow's order through injected steps:
 * test → build → deploy staging → check staging → deploy production → check production.
 * A failed gate (any verdict but `passed`) or a failed rollout that changed the target rolls that environment
 * back and stops: production is never touched when staging fails. Bad input (InputError) propagates
 * unchanged, before anything is deployed when it comes from test or build.
 */
import { InputError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type {
  EnvironmentResult,
  PipelineOptions,
  PipelineResult,
  PipelineSteps,
  StageKind,
  StageStatus,
} from './types.js';

export function validatePipelineOptions(o: PipelineOptions): void {
  if (!o.release.trim())
    throw new InputError('expected a release id (e.g. sha-1a2b3c4)', undefined, 'release');
  if (o.stagingEnvironment === o.productionEnvironment) {
    throw new InputError(
      `staging and production must be different environments (both are "${o.stagingEnvironment}")`,
      undefined,
      'environments',
    );
  }
  if (o.skipStaging && !o.skipStaging.reason.trim()) {
    throw new InputError(
      'skipping staging is for production hotfixes only and needs a reason (--reason "…")',
      undefined,
      'skip-staging-reason',
    );
  }
  if (o.skipStaging && o.stagingOnly) {
    throw new InputError('cannot both skip staging and stop after staging', undefined, 'skip-staging');
  }
}

export async function runPipeline(
  steps: PipelineSteps,
  options: PipelineOptions,
  logger: Logger,
  now: () => number = Date.now,
): Promise<PipelineResult> {
  validatePipelineOptions(options);
  const result: PipelineResult = {
    ok: false,
    release: options.release,
    stages: [],
    images: {},
    environments: {},
  };

  /** Runs one stage in a log group; a thrown InputError propagates, any other error fails the stage. */
  async function stage<T>(
    kind: StageKind,
    environment: string | undefined,
    fn: () => Promise<T>,
    judge: (value: T) => { status: StageStatus; detail: string },
  ): Promise<{ value?: T; status: StageStatus; detail: string }> {
    const name = environment ? `${kind} ${environment}` : kind;
    const started = now();
    let value: T | undefined;
    let verdict: { status: StageStatus; detail: string };
    try {
      value = await logger.group(name, fn);
      verdict = judge(value);
    } catch (err) {
      if (err instanceof InputError) throw err;
      verdict = { status: 'failed', detail: messageOf(err) };
    }
    result.stages.push({ name, kind, environment, ...verdict, ms: now() - started });
    (verdict.status === 'failed' ? logger.error : logger.info).call(
      logger,
      `${name}: ${verdict.status} — ${verdict.detail}`,
    );
    return { value, ...verdict };
  }

  function skip(kind: StageKind, environment: string | undefined, detail: string): void {
    const name = environment ? `${kind} ${environment}` : kind;
    result.stages.push({ name, kind, environment, status: 'skipped', detail, ms: 0 });
    logger.info(`${name}: skipped — ${detail}`);
  }

  function fail(message: string): PipelineResult {
    result.failure = message;
    logger.error(message);
    return result;
  }

  const tested = await stage(
    'test',
    undefined,
    () => steps.test(),
    (t) =>
      t.ok
        ? { status: 'passed', detail: 'every check passed' }
        : { status: 'failed', detail: `failed checks: ${t.failedChecks.join(', ') || '(unnamed)'}` },
  );
  if (tested.status === 'failed') return fail(`tests failed: ${tested.detail}`);

  const built = await stage(
    'build',
    undefined,
    () => steps.build(options.release),
    (b) => {
      const n = Object.keys(b.images).length;
      return b.ok
        ? { status: 'passed', detail: `${n} image${n === 1 ? '' : 's'}` }
        : {
            status: 'failed',
            detail: `failed: ${
              Object.values(b.images)
                .filter((i) => i.status === 'failed')
                .map((i) => i.service)
                .join(', ') || 'build'
            }`,
          };
    },
  );
  if (built.value) {
    result.images = built.value.images;
    result.buildMetadataPath = built.value.metadataPath;
  }
  if (built.status === 'failed') return fail(`build failed: ${built.detail}`);

  /** Deploy, gate and (on failure) roll back one environment; true when its gate passed. */
  async function ship(environment: string): Promise<boolean> {
    const env: EnvironmentResult = { environment, failedGates: [] };
    result.environments[environment] = env;
    const deployed = await stage(
      'deploy',
      environment,
      () => steps.deploy({ environment, images: result.images, release: options.release }),
      (d) =>
        d.ok
          ? {
              status: 'passed',
              detail: `release ${d.releaseId}${d.changed ? '' : ' (unchanged)'} at ${d.url}`,
            }
          : { status: 'failed', detail: d.message ?? `rollout of ${d.releaseId} failed` },
    );
    const d = deployed.value;
    if (d) Object.assign(env, { releaseId: d.releaseId, previousReleaseId: d.previousReleaseId, url: d.url });

    let reason: string;
    if (deployed.status === 'passed' && d) {
      const checked = await stage(
        'check',
        environment,
        () => steps.check({ environment, release: d.releaseId, baselineRelease: d.previousReleaseId }),
        (c) =>
          c.verdict === 'passed'
            ? { status: 'passed', detail: 'every gate passed' }
            : { status: 'failed', detail: `${c.verdict}: ${c.failedGates.join(', ') || 'no gate named'}` },
      );
      const c = checked.value;
      if (c) Object.assign(env, { verdict: c.verdict, failedGates: c.failedGates, reportPath: c.reportPath });
      if (checked.status === 'passed') return true;
      env.verdict ??= 'error';
      reason = `gate failed on ${environment}: ${checked.detail}`;
    } else {
      skip('check', environment, 'the deploy failed');
      reason = `deploy failed on ${environment}: ${deployed.detail}`;
      if (d?.rolledBackTo) {
        result.stages.push({
          name: `rollback ${environment}`,
          kind: 'rollback',
          environment,
          status: 'passed',
          detail: `the rollout restored ${d.rolledBackTo} by itself`,
          ms: 0,
        });
        env.rolledBack = { ok: true, releaseId: d.rolledBackTo };
        fail(`${reason}; ${environment} rolled back to ${d.rolledBackTo}`);
        return false;
      }
      if (!d?.changed) {
        skip('rollback', environment, 'the failed deploy changed nothing');
        fail(reason);
        return false;
      }
    }

    const rolled = await stage(
      'rollback',
      environment,
      () =>
        steps.rollback({
          environment,
          toRelease: env.previousReleaseId ?? '',
          reason,
        }),
      (r) =>
        r.ok
          ? { status: 'passed', detail: `restored ${r.releaseId}` }
          : { status: 'failed', detail: r.message ?? 'rollback failed' },
    );
    const r = rolled.value;
    env.rolledBack = r
      ? { ok: rolled.status === 'passed', releaseId: r.releaseId, message: r.message }
      : { ok: false, releaseId: '', message: rolled.detail };
    fail(
      `${reason}; ${environment} ${
        env.rolledBack.ok ? `rolled back to ${env.rolledBack.releaseId}` : `ROLLBACK FAILED: ${rolled.detail}`
      }`,
    );
    return false;
  }

  const { stagingEnvironment: staging, productionEnvironment: production } = options;
  if (options.skipStaging) {
    skip('deploy', staging, `hotfix: ${options.skipStaging.reason}`);
    skip('check', staging, `hotfix: ${options.skipStaging.reason}`);
  } else if (!(await ship(staging))) {
    skip('deploy', production, `${staging} failed: production untouched`);
    skip('check', production, `${staging} failed: production untouched`);
    return result;
  }
  if (options.stagingOnly) {
    skip('deploy', production, 'staging only');
    skip('check', production, 'staging only');
  } else if (!(await ship(production))) {
    return result;
  }
  result.ok = true;
  return result;
}
