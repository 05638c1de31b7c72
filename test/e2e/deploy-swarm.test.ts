/**
 * Swarm driver on the local engine (a single-node swarm, created when the engine is not in one): start-first
 * rolling updates with no failed request, Swarm's own rollback of a never-healthy and a crash-looping image
 * (seen through UpdateStatus, since `stack deploy` exits 0), and a manual rollback to a named release.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { MemoryLogger } from '../../src/core/log.js';
import { deploy, rollback, RolloutFailedError } from '../../src/core/deploy/index.js';
import { docker, fixtureProject, getJson, imageMap, removeProject } from '../fixtures/deploy/fixture.js';
import { probe } from '../fixtures/deploy/probe.js';

jest.setTimeout(600_000);
const PORT = 32023;
const fx = fixtureProject('swm', { stagingPort: 32024, productionPort: PORT });
const project = fx.config.environments.production.projectName;
const vars = { ...process.env, ERPT_APP_TOKEN: 'token-for-swarm-e2e' };
const ctx = () => ({ config: fx.config, environment: 'production', logger: new MemoryLogger(), vars });
const url = `http://127.0.0.1:${PORT}/api/v1/x`;
const RETAG = 'erpt-deploy/swm-cache:retag';

async function expectRollback(variant: 'unhealthy' | 'crash', serving: string) {
  const load = probe(url, 20);
  let err: unknown;
  try {
    await deploy(ctx(), { images: await imageMap(variant) });
  } catch (e) {
    err = e;
  }
  const seen = await load.stop();
  expect(err).toBeInstanceOf(RolloutFailedError);
  expect((err as Error).message).toMatch(/Rolled back automatically/);
  expect((err as RolloutFailedError).result.release.outcome).toBe('rolled-back');
  // start-first: the old task never stopped, so the previous release served every request.
  expect(seen.failed).toBe(0);
  expect(Object.keys(seen.versions)).toEqual([serving]);
  expect((await getJson(url))?.version).toBe(serving);
}

beforeAll(async () => {
  await removeProject(project, 'swarm');
});
afterAll(async () => {
  await removeProject(project, 'swarm');
  await docker('rmi', RETAG).catch(() => '');
});

describe('swarm driver (production)', () => {
  let v1 = '';

  it('deploys v1 as a stack (initialising a single-node swarm when needed)', async () => {
    const r = await deploy(ctx(), { images: await imageMap('v1') });
    v1 = r.release.id;
    expect(r.release.outcome).toBe('healthy');
    expect(await docker('info', '--format', '{{.Swarm.LocalNodeState}}')).toBe('active');
    expect(await getJson(url)).toMatchObject({ version: 'v1', secret_length: 'token-for-swarm-e2e'.length });
    const order = await docker('service', 'inspect', '-f', '{{.Spec.UpdateConfig.Order}}', `${project}_api`);
    expect(order).toBe('start-first');
    expect(await docker('service', 'inspect', '-f', '{{.Spec.UpdateConfig.Order}}', `${project}_cache`)).toBe(
      'stop-first',
    );
  });

  it('rolls v2 out start-first: no request fails under load; a retagged cache is left alone', async () => {
    // what a new commit does: a new API image, and the same Redis image under a new tag
    await docker('tag', 'erp-deploy/redis:offline', RETAG);
    const id = await docker('image', 'inspect', '-f', '{{.Id}}', RETAG);
    const cacheTask = await docker(
      'ps',
      '-q',
      '--filter',
      `label=com.docker.swarm.service.name=${project}_cache`,
    );
    const retagged = { ...(await imageMap('v2')).api, service: 'cache', image: RETAG.split(':')[0] };
    const cache = { ...retagged, tag: 'retag', tags: ['retag'], imageId: id, ref: RETAG };
    const load = probe(url, 20);
    const r = await deploy(ctx(), { images: { ...(await imageMap('v2')), cache } });
    const seen = await load.stop();
    expect(r.plan.changed.sort()).toEqual(['api', 'worker']);
    expect(r.release.services.cache.ref).toBe(RETAG);
    // the stack file keeps the reference the service runs, so `stack deploy` does not update it
    const spec = await docker(
      'service',
      'inspect',
      '-f',
      '{{.Spec.TaskTemplate.ContainerSpec.Image}}',
      `${project}_cache`,
    );
    expect([
      spec,
      await docker('ps', '-q', '--filter', `label=com.docker.swarm.service.name=${project}_cache`),
    ]).toEqual(['erp-deploy/redis:offline', cacheTask]);
    expect(seen.failed).toBe(0);
    expect(seen.ok).toBeGreaterThan(20);
    expect(seen.versions.v2).toBeGreaterThan(0);
    const state = await docker('service', 'inspect', '-f', '{{.UpdateStatus.State}}', `${project}_api`);
    expect(state).toBe('completed');
  });

  it('the same images again: nothing changes', async () => {
    const r = await deploy(ctx(), { images: await imageMap('v2') });
    expect(r.changed).toBe(false);
  });

  it('a never-healthy image: Swarm rolls back, the step fails, v2 keeps serving', async () => {
    await expectRollback('unhealthy', 'v2');
  });

  it('a crash-looping image: rolled back too', async () => {
    await expectRollback('crash', 'v2');
  });

  it('rolls back by hand to v1 by its release id', async () => {
    const r = await rollback(ctx(), v1);
    expect(r.release.outcome).toBe('healthy');
    expect((await getJson(url))?.version).toBe('v1');
  });
});
