/**
 * The whole chain through the BUNDLED actions, on the real stack (api, worker, flower, redis, prometheus, …):
 * build-images → deploy-env staging (Compose) → smoke-check staging → deploy-env production (Swarm) →
 * smoke-check production, with inputs as GitHub passes them and GitHub's Deployments API mocked locally. Then:
 *   1. a release whose API answers 5xx on half its routes: the staging gate fails, the workflow's rollback step
 *      restores staging, production is untouched;
 *   2. a release healthy at start that degrades under traffic: staging passes, the production gate fails, the
 *      rollback restores production, which serves the previous release's image again;
 *   3. manual rollback of staging to a named release id;
 *   4. the Redis data written before the deploys is all there after them.
 * Own names and ports: projects erpt-e2e-staging / erpt-e2e-production, 127.0.0.1:32400-32414.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { removeProject } from '../fixtures/deploy/fixture.js';
import { startGithubMock, type GithubMock } from '../fixtures/deploy/github-mock.js';
import type { ImageMap } from '../../src/core/images/types.js';
import {
  docker,
  offlineImageVars,
  playTraffic,
  redisKeyCount,
  runAction,
  runningImageIds,
  waitFor,
  type StepResult,
} from './e2e-harness.js';

jest.setTimeout(900_000);
const STG = { project: 'erpt-e2e-staging', api: 32400, prom: 32401 };
const PROD = { project: 'erpt-e2e-production', api: 32410, prom: 32411 };
const dir = mkdtempSync(join(tmpdir(), 'erpt-e2e-'));
const env = offlineImageVars();
const secretValue = (n: string) => `e2e-${n}-${Math.random().toString(36).slice(2, 14)}`;
// Secrets as the workflow passes them: VARIABLE=value lines in deploy-env's `secrets` input.
const SECRETS = [
  `E2E_REDIS_PASSWORD=${secretValue('redis')}`,
  `E2E_FLOWER_AUTH=admin:${secretValue('flower')}`,
  `E2E_GRAFANA_PASSWORD=${secretValue('grafana')}`,
].join('\n');
let gh: GithubMock;

function ports(base: number): string {
  const names = [
    'ERP_API_PORT',
    'ERP_PROMETHEUS_PORT',
    'ERP_FLOWER_PORT',
    'ERP_ALERTMANAGER_PORT',
    'ERP_GRAFANA_PORT',
  ];
  return names.map((n, i) => `${n}: "${base + i}"`).join(', ');
}

function writeProject(): void {
  const secrets =
    '{ redis_password: E2E_REDIS_PASSWORD, flower_basic_auth: E2E_FLOWER_AUTH, grafana_admin_password: E2E_GRAFANA_PASSWORD }';
  writeFileSync(
    join(dir, 'erp-deploy.yml'),
    `version: 1
project: erpt-e2e
compose:
  files: [${resolve('compose/docker-compose.yml')}]
stateDir: ${join(dir, 'state')}
build: { concurrency: 2 }
gates: { file: ${join(dir, 'gates.yml')}, deadline: 3m }
environments:
  staging:
    driver: compose
    projectName: ${STG.project}
    overlays: [${resolve('compose/docker-compose.staging.yml')}]
    url: http://127.0.0.1:${STG.api}
    prometheusUrl: http://127.0.0.1:${STG.prom}
    healthTimeout: 150s
    env: { ${ports(STG.api)} }
    secrets: ${secrets}
  production:
    driver: swarm
    projectName: ${PROD.project}
    overlays: [${resolve('compose/docker-compose.production.yml')}]
    url: http://127.0.0.1:${PROD.api}
    prometheusUrl: http://127.0.0.1:${PROD.prom}
    healthTimeout: 180s
    env: { ${ports(PROD.api)} }
    secrets: ${secrets}
`,
  );
  // The stack's gates with short intervals (the stack scrapes every 15 s): the error ratio over the last 45 s,
  // judged four times 10 s apart after 25 s (two scrapes of the new API); more than one inconclusive (no traffic,
  // no data yet) fails the gate.
  writeFileSync(
    join(dir, 'gates.yml'),
    `version: 1
defaults: { interval: 10s, count: 4, initialDelay: 25s, failureLimit: 0, inconclusiveLimit: 1, consecutiveErrorLimit: 4, errorRetryInterval: 5s, timeout: 10s }
gates:
  - name: api-error-ratio
    query: >-
      (sum(rate(http_requests_total{job="api",status="5xx"}[45s])) or vector(0))
      / sum(rate(http_requests_total{job="api"}[45s]))
    successCondition: result < 0.02
    failureCondition: result >= 0.05
    noData: inconclusive
    nonFinite: inconclusive
  - name: workers-online
    query: max(celery_workers{job="worker"})
    successCondition: result >= 1
    noData: inconclusive
`,
  );
}

const step = (action: string, inputs: Record<string, string>) =>
  runAction(
    action,
    { config: join(dir, 'erp-deploy.yml'), ...inputs },
    {
      cwd: dir,
      env: { ...env, GITHUB_API_URL: gh.url },
    },
  );

const deployStep = (environment: string, images: ImageMap) =>
  step('deploy-env', {
    environment,
    images: JSON.stringify(images),
    secrets: SECRETS,
    'github-token': 'test-token',
  });

const rollbackStep = (environment: string, release: string) =>
  step('deploy-env', {
    environment,
    command: 'rollback',
    release,
    secrets: SECRETS,
    'github-token': 'test-token',
  });

/** smoke-check while traffic plays on the environment's API (the gates judge live requests). */
async function checkStep(
  environment: string,
  port: number,
  rps: number,
  baselineRelease = '',
): Promise<{ r: StepResult; traffic: Awaited<ReturnType<ReturnType<typeof playTraffic>['stop']>> }> {
  const base = `http://127.0.0.1:${port}/api/v1`;
  const traffic = playTraffic([`${base}/customers`, `${base}/orders`], rps, 240_000);
  const r = await step('smoke-check', {
    environment,
    ...(baselineRelease ? { baseline: 'none', 'baseline-release': baselineRelease } : {}),
  });
  return { r, traffic: await traffic.stop() };
}

function expectOk(r: StepResult): void {
  if (r.code !== 0)
    throw new Error(`step failed (exit ${r.code}, signal ${r.signal}):\n${r.stdout.slice(-4000)}`);
}

/** A smoke-check step's verdict, or an error showing how the step ended and the tail of its output. */
function expectVerdict(r: StepResult, want: string, what: string): void {
  if (r.outputs.verdict !== want)
    throw new Error(
      `${what}: verdict ${r.outputs.verdict ?? '(none)'}, expected ${want} (exit ${r.code}, signal ${r.signal}, ` +
        `${r.ms} ms):\n${r.stdout.slice(-3000)}`,
    );
}

/** The image ids a service's running containers use, once they are `want` (old tasks may still be stopping). */
async function settledImageIds(project: string, want: string): Promise<string[]> {
  await waitFor(async () => (await runningImageIds(project, 'api')).join() === want, 60_000);
  return runningImageIds(project, 'api');
}

/**
 * A faulty release: an image FROM the API image whose entrypoint turns a fault-injection variable on. (An `ENV`
 * line would not do: compose/docker-compose.yml sets every ERP_FAULT_* variable on the api service, default 0,
 * which overrides the image's ENV; env(1) in the entrypoint sets it inside the process whatever compose says.)
 */
async function derivedRelease(images: ImageMap, tag: string, envLine: string): Promise<ImageMap> {
  const ctx = join(dir, `ctx-${tag}`);
  rmSync(ctx, { recursive: true, force: true });
  mkdirSync(ctx);
  const entrypoint = (await docker('image', 'inspect', '-f', '{{json .Config.Entrypoint}}', images.api.ref))
    .replace(/^\[/, '')
    .replace(/\]$/, '');
  writeFileSync(
    join(ctx, 'Dockerfile'),
    `FROM ${images.api.ref}\nENV ${envLine}\nENTRYPOINT ["/usr/bin/env", "${envLine}", ${entrypoint}]\nCMD ["api"]\n`,
  );
  const ref = `erpt-e2e/api-fault:${tag}`;
  await docker('build', '-q', '-t', ref, ctx);
  const imageId = await docker('image', 'inspect', '-f', '{{.Id}}', ref);
  return { ...images, api: { ...images.api, ref, tag, tags: [tag], imageId, digest: '' } };
}

const cleanup = async () => {
  await removeProject(STG.project, 'compose');
  await removeProject(PROD.project, 'swarm');
};

beforeAll(async () => {
  gh = await startGithubMock();
  writeProject();
  await cleanup();
});
afterAll(async () => {
  await gh?.close();
  await cleanup();
  // the tags this run made: erpt-e2e/* (derived releases) and <image>:e2e-1 (build-images, named from compose)
  const tags = (await docker('images', '--format', '{{.Repository}}:{{.Tag}}'))
    .split('\n')
    .filter((t) => t.startsWith('erpt-e2e/') || t.endsWith(':e2e-1'));
  if (tags.length) await docker('rmi', ...tags).catch(() => '');
  rmSync(dir, { recursive: true, force: true });
});

describe('the chain through the bundled actions on the real stack', () => {
  let images: ImageMap;
  const good = { staging: '', production: '' };
  let goodApiImage = '';
  const written: string[] = [];
  let keysBefore = { staging: 0, production: 0 };

  it('build-images → deploy staging → gates → deploy production (same images) → gates', async () => {
    const built = await step('build-images', { tags: 'e2e-1' });
    expectOk(built);
    images = JSON.parse(built.outputs.images) as ImageMap;
    expect(Object.keys(images)).toEqual(expect.arrayContaining(['api']));
    goodApiImage = images.api.imageId;

    const stg = await deployStep('staging', images);
    expectOk(stg);
    good.staging = stg.outputs['release-id'];
    expect(stg.outputs.url).toBe(`http://127.0.0.1:${STG.api}`);
    const stgCheck = await checkStep('staging', STG.api, 5);
    expectVerdict(stgCheck.r, 'passed', 'staging gate');
    expectOk(stgCheck.r);

    const prod = await deployStep('production', images);
    expectOk(prod);
    good.production = prod.outputs['release-id'];
    const prodCheck = await checkStep('production', PROD.api, 5);
    expectVerdict(prodCheck.r, 'passed', 'production gate');
    expectOk(prodCheck.r);
    expect(prodCheck.r.summary).toMatch(/api-error-ratio/);

    // the same image runs in both environments; GitHub saw in_progress → success for each
    expect(await settledImageIds(STG.project, goodApiImage)).toEqual([goodApiImage]);
    expect(await settledImageIds(PROD.project, goodApiImage)).toEqual([goodApiImage]);
    expect(gh.deployments.map((d) => [d.environment, d.statuses.map((s) => s.state).join('>')])).toEqual([
      ['staging', 'in_progress>success'],
      ['production', 'in_progress>success'],
    ]);

    // data the later deploys must keep: customers written through each environment's API
    for (const port of [STG.api, PROD.api]) {
      for (let i = 0; i < 20; i++) {
        const r = await fetch(`http://127.0.0.1:${port}/api/v1/customers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Customer ${i}`, email: `c${i}@example.com` }),
        });
        expect(r.status).toBe(201);
        written.push(`${port}:${((await r.json()) as { id: string }).id}`);
      }
    }
    keysBefore = {
      staging: await redisKeyCount(STG.project, 'redis', 'erp:*'),
      production: await redisKeyCount(PROD.project, 'redis', 'erp:*'),
    };
    expect(keysBefore.staging).toBeGreaterThanOrEqual(20);
    expect(keysBefore.production).toBeGreaterThanOrEqual(20);
  });

  it('1. an API answering 5xx on half its routes fails the staging gate; staging rolls back, production untouched', async () => {
    const bad = await derivedRelease(images, 'e2e-5xx', 'ERP_FAULT_ERROR_RATE=0.5');
    const stg = await deployStep('staging', bad);
    expectOk(stg); // the rollout itself is healthy: only the gate can tell
    expect(await settledImageIds(STG.project, bad.api.imageId)).toEqual([bad.api.imageId]);
    const check = await checkStep('staging', STG.api, 10, stg.outputs['previous-release-id']);
    expectVerdict(check.r, 'failed', 'staging gate');
    expect(check.r.outputs['failed-gates']).toMatch(/api-error-ratio/);
    expect(check.traffic.failures['500']).toBeGreaterThan(0);

    // the workflow's rollback job: deploy-env command rollback to the previous release id
    const rb = await rollbackStep('staging', stg.outputs['previous-release-id']);
    expectOk(rb);
    expect(await settledImageIds(STG.project, goodApiImage)).toEqual([goodApiImage]);
    expect(await settledImageIds(PROD.project, goodApiImage)).toEqual([goodApiImage]);
    expect(gh.deployments.filter((d) => d.environment === 'production')).toHaveLength(1);
  });

  it('2. a release that degrades under traffic passes staging, fails the production gate, production rolls back', async () => {
    const degrading = await derivedRelease(images, 'e2e-degrade', 'ERP_FAULT_DEGRADE_AFTER=400');
    const stg = await deployStep('staging', degrading);
    expectOk(stg);
    const stgCheck = await checkStep('staging', STG.api, 3); // light traffic: stays under 400 requests
    expectVerdict(stgCheck.r, 'passed', 'staging gate');
    expect(stgCheck.traffic.failed).toBe(0);

    const prod = await deployStep('production', degrading);
    expectOk(prod);
    expect(prod.outputs['previous-release-id']).toBe(good.production);
    expect(await settledImageIds(PROD.project, degrading.api.imageId)).toEqual([degrading.api.imageId]);
    const prodCheck = await checkStep('production', PROD.api, 40, good.production);
    expectVerdict(prodCheck.r, 'failed', 'production gate');
    expect(prodCheck.traffic.failures['500']).toBeGreaterThan(0);

    const rb = await rollbackStep('production', prod.outputs['previous-release-id']);
    expectOk(rb);
    expect(rb.outputs['release-id']).not.toBe('');
    // production serves the previous release: its image id, and requests succeed again
    expect(await settledImageIds(PROD.project, goodApiImage)).toEqual([goodApiImage]);
    const after = playTraffic([`http://127.0.0.1:${PROD.api}/api/v1/customers`], 20, 5000);
    await new Promise((r) => setTimeout(r, 5000));
    const t = await after.stop();
    expect([t.failed, t.ok]).toEqual([0, t.sent]);
    const prodDeploys = gh.deployments.filter((d) => d.environment === 'production');
    expect(
      prodDeploys
        .at(-1)
        ?.statuses.map((s) => s.state)
        .at(-1),
    ).toBe('success');
  });

  it('3. manual rollback of staging to a named release id', async () => {
    expect(await runningImageIds(STG.project, 'api')).not.toEqual([goodApiImage]); // still the degrading one
    const rb = await rollbackStep('staging', good.staging);
    expectOk(rb);
    expect(rb.stdout).toContain(good.staging);
    expect(await settledImageIds(STG.project, goodApiImage)).toEqual([goodApiImage]);
  });

  it('4. the Redis data written before the deploys is all there after them', async () => {
    expect(await redisKeyCount(STG.project, 'redis', 'erp:*')).toBe(keysBefore.staging);
    expect(await redisKeyCount(PROD.project, 'redis', 'erp:*')).toBe(keysBefore.production);
    for (const w of written) {
      const [port, id] = w.split(':');
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/customers/${id}`);
      expect([w, r.status]).toEqual([w, 200]);
    }
  });
});
