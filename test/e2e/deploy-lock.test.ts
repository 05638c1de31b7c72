/**
 * The deploy lock under concurrent deploys on the local engine: without waiting the second deploy is refused
 * naming the holder and since when, nothing changed; with a wait both run one after the other; a lock held by
 * hand blocks deploys until released.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { MemoryLogger } from '../../src/core/log.js';
import { deploy, lock, LockHeldError, releases } from '../../src/core/deploy/index.js';
import { fixtureProject, getJson, imageMap, removeProject } from '../fixtures/deploy/fixture.js';

jest.setTimeout(600_000);
const PORT = 32051;
const fx = fixtureProject('lock', { stagingPort: PORT, productionPort: 32052 });
const project = fx.config.environments.staging.projectName;
const vars = { ...process.env, ERPT_APP_TOKEN: 'token-for-lock-e2e' };
const ctx = () => ({ config: fx.config, environment: 'staging', logger: new MemoryLogger(), vars });

beforeAll(async () => {
  await removeProject(project, 'compose');
});
afterAll(async () => {
  await removeProject(project, 'compose');
});

describe('deploy lock', () => {
  it('two deploys at once without waiting: one runs, the other is refused naming the holder', async () => {
    const [a, b] = await Promise.allSettled([
      deploy(ctx(), { images: await imageMap('v1'), who: 'alice' }),
      deploy(ctx(), { images: await imageMap('v2'), who: 'bob' }),
    ]);
    const ok = [a, b].filter((r) => r.status === 'fulfilled');
    const refused = [a, b].filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toBeInstanceOf(LockHeldError);
    expect(refused[0].reason.message).toMatch(/held by (alice|bob) since \d{4}-\d\d-\d\dT/);
    expect((await releases(ctx())).releases).toHaveLength(1);
  });

  it('with a wait, both deploys run, one after the other', async () => {
    const [a, b] = await Promise.all([
      deploy(ctx(), { images: await imageMap('v1'), who: 'carol', lockWaitMs: 180_000 }),
      deploy(ctx(), { images: await imageMap('v2'), who: 'dave', lockWaitMs: 180_000 }),
    ]);
    expect([a.release.outcome, b.release.outcome]).toEqual(['healthy', 'healthy']);
    const audit = (await releases(ctx())).audit.filter((e) => e.action === 'lock' || e.action === 'unlock');
    // Strictly alternating: never two holders at once.
    audit.forEach((e, i) => expect(e.action).toBe(i % 2 === 0 ? 'lock' : 'unlock'));
  });

  it('a lock held by hand blocks deploys until it is released', async () => {
    const held = await lock(ctx(), 'acquire', { reason: 'database migration', who: 'operator' });
    expect(held.message).toMatch(/locked by operator/);
    expect((await lock(ctx(), 'status')).message).toMatch(/locked by operator since .*database migration/);
    const version = (await getJson(`http://127.0.0.1:${PORT}/x`))?.version;
    const err = await deploy(ctx(), { images: await imageMap('v1') }).catch((e) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect(err.message).toMatch(/held by operator since .*database migration/);
    expect((await getJson(`http://127.0.0.1:${PORT}/x`))?.version).toBe(version);
    expect((await lock(ctx(), 'release')).message).toMatch(/lock released \(was held by operator\)/);
    expect((await lock(ctx(), 'status')).message).toMatch(/not locked/);
  });
});
