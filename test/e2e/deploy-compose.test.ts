/**
 * Compose driver on the local engine: plan, deploy, a no-op redeploy, an update that leaves the data service
 * alone, an automatic rollback from a crash-looping image, manual rollbacks (by id and "previous").
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryLogger } from '../../src/core/log.js';
import { deploy, planDeploy, releases, rollback, RolloutFailedError } from '../../src/core/deploy/index.js';
import { lockStatus } from '../../src/core/deploy/lock.js';
import { statePaths } from '../../src/core/deploy/state.js';
import { LocalTarget } from '../../src/core/deploy/target-local.js';
import { docker, fixtureProject, getJson, imageMap, removeProject } from '../fixtures/deploy/fixture.js';

// jest.config.js sets testTimeout per project, which jest 29 ignores there: set it here.
jest.setTimeout(600_000);
const PORT = 32011;
const fx = fixtureProject('cmp', { stagingPort: PORT, productionPort: 32012 });
const project = fx.config.environments.staging.projectName;
const vars = { ...process.env, ERPT_APP_TOKEN: 'token-for-compose-e2e' };
const ctx = (logger = new MemoryLogger()) => ({ config: fx.config, environment: 'staging', logger, vars });
const containerOf = (svc: string) =>
  docker(
    'ps',
    '-q',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    `label=com.docker.compose.service=${svc}`,
  );

beforeAll(async () => {
  await removeProject(project, 'compose');
});
afterAll(async () => {
  await removeProject(project, 'compose');
});

describe('compose driver (staging)', () => {
  let v1 = '';
  let v2 = '';

  it('plans a first deploy: every service is created', async () => {
    const plan = await planDeploy(ctx(), { images: await imageMap('v1') });
    expect(plan.changed.sort()).toEqual(['api', 'cache', 'worker']);
    expect(plan.levels[0]).toEqual(['cache']);
    expect(plan.services.find((s) => s.service === 'cache')?.data).toBe(true);
    expect(plan.markdown).toContain('| api |');
  });

  it('deploys v1, healthy, with the secret as a file and nothing on the command line', async () => {
    const logger = new MemoryLogger();
    const r = await deploy(ctx(logger), { images: await imageMap('v1'), sha: 'a'.repeat(40) });
    v1 = r.release.id;
    expect(r.release.outcome).toBe('healthy');
    expect(r.changed).toBe(true);
    expect(await getJson(`http://127.0.0.1:${PORT}/api/v1/x`)).toEqual({
      version: 'v1',
      release: 'v1',
      secret_length: 'token-for-compose-e2e'.length,
    });
    expect(logger.text()).not.toContain('token-for-compose-e2e');
    // Kamal-style hooks ran on the runner (in the project directory) with the ERP_* variables.
    expect(readFileSync(join(fx.dir, 'hooks.log'), 'utf8').trim().split('\n')).toEqual([
      `pre deploy staging ${v1} prev= by ${r.release.who}: cache,api,worker`,
      `post deploy ${v1} healthy`,
    ]);
    const inspect = await docker('inspect', (await containerOf('api')).split('\n')[0]);
    expect(inspect).not.toContain('token-for-compose-e2e');
    const secretMode = await docker(
      'run',
      '--rm',
      '-v',
      `${fx.stateDir}:/s:ro`,
      'erp-deploy/python:offline',
      'stat',
      '-c',
      '%a',
      `/s/${project}/secrets`,
      `/s/${project}/secrets/app_token`,
    );
    expect(secretMode.split('\n')).toEqual(['700', '444']);
  });

  it('a second deploy of the same images changes nothing and says so', async () => {
    const before = await containerOf('api');
    const logger = new MemoryLogger();
    const r = await deploy(ctx(logger), { images: await imageMap('v1') });
    expect(r.changed).toBe(false);
    expect(r.release.id).toBe(v1);
    expect(logger.text()).toMatch(/nothing to deploy/);
    expect(await containerOf('api')).toBe(before);
  });

  it('deploys v2: api and worker restart, the data service keeps its container and data', async () => {
    const cache = await containerOf('cache');
    await docker('exec', cache, 'redis-cli', 'set', 'erp:kept', 'yes');
    const r = await deploy(ctx(), { images: await imageMap('v2') });
    v2 = r.release.id;
    expect(r.plan.changed.sort()).toEqual(['api', 'worker']);
    expect(r.plan.services.find((s) => s.service === 'cache')?.action).toBe('unchanged');
    expect(await containerOf('cache')).toBe(cache);
    expect(await docker('exec', cache, 'redis-cli', 'get', 'erp:kept')).toBe('yes');
    expect((await getJson(`http://127.0.0.1:${PORT}/api/v1/x`))?.version).toBe('v2');
    expect(r.previous?.id).toBe(v1);
  });

  it('a crash-looping image rolls back automatically to v2; the lock is released, data intact', async () => {
    const cache = await containerOf('cache');
    let err: unknown;
    try {
      await deploy(ctx(), { images: await imageMap('crash') });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RolloutFailedError);
    const failed = err as RolloutFailedError;
    expect(failed.message).toMatch(/crashed.*Rolled back automatically.*serves r/s);
    expect(failed.result.rolledBackTo).toBe(v2);
    expect(failed.result.release.outcome).toBe('rolled-back');
    expect((await getJson(`http://127.0.0.1:${PORT}/api/v1/x`))?.version).toBe('v2');
    expect(await containerOf('cache')).toBe(cache);
    expect(await docker('exec', cache, 'redis-cli', 'get', 'erp:kept')).toBe('yes');
    expect(await lockStatus(new LocalTarget(), statePaths(fx.stateDir, project))).toBeUndefined();
  });

  it('rolls back by hand to a named release, then to "previous"', async () => {
    const r1 = await rollback(ctx(), v1);
    expect(r1.release.rollbackOf).toBe(v1);
    expect((await getJson(`http://127.0.0.1:${PORT}/api/v1/x`))?.version).toBe('v1');
    const r2 = await rollback(ctx(), 'previous');
    expect(r2.release.rollbackOf).toBe(v2);
    expect((await getJson(`http://127.0.0.1:${PORT}/api/v1/x`))?.version).toBe('v2');
  });

  it('lists the releases with outcomes and the known-good', async () => {
    const list = await releases(ctx());
    expect(list.releases.map((r) => r.outcome)).toEqual([
      'healthy',
      'healthy',
      'rolled-back',
      'healthy',
      'healthy',
    ]);
    expect(list.knownGood).toBe(list.releases[4].id);
    expect(list.audit.some((a) => a.action === 'rolled-back')).toBe(true);
    expect(list.markdown).toContain('current');
  });
});
