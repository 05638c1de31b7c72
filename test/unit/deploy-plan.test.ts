/** The plan, release history and compose preparation: pure functions of the deploy core. */
import { describe, expect, it } from '@jest/globals';
import { computePlan, pinKeptRefs, planMarkdown } from '../../src/core/deploy/plan.js';
import { HASH_LABEL, prepareCompose, toYaml } from '../../src/core/deploy/compose-doc.js';
import { knownGood, newReleaseId, resolveRollback, type Release } from '../../src/core/deploy/releases.js';
import type { RunningService } from '../../src/core/deploy/driver.js';
import { InputError } from '../../src/core/errors.js';

const rendered = `
services:
  api:
    image: erp/api:v2
    depends_on: { redis: { condition: service_healthy } }
    secrets: [redis_password]
    volumes: ["./config:/etc/api:ro"]
  worker: { image: erp/api:v2, depends_on: [redis, api] }
  redis: { image: erp/redis:1, volumes: ["redis-data:/data"], command: ["redis-server", "--appendonly", "yes"] }
  grafana: { image: grafana/grafana:11, profiles: [grafana] }
volumes: { redis-data: {} }
secrets: { redis_password: { file: ./secrets/redis_password } }
`;
const secrets = [{ name: 'redis_password', path: '/state/erp/secrets/redis_password', hash: 'aaaaaaaaaaaa' }];
const meta = { environment: 'staging', project: 'erp-staging', driver: 'compose', target: 'local' };

function running(
  service: string,
  doc: Record<string, unknown>,
  imageId: string,
  over: Partial<RunningService> = {},
): RunningService {
  const svc = (doc.services as Record<string, Record<string, unknown>>)[service];
  return {
    service,
    ref: String(svc.image),
    imageIds: [imageId],
    configHash: (svc.labels as Record<string, string>)[HASH_LABEL],
    health: 'healthy',
    replicas: { running: 1, desired: 1 },
    ...over,
  };
}

describe('prepareCompose', () => {
  const p = prepareCompose(rendered, '/repo/compose', secrets, {});

  it('leaves out services of inactive profiles, makes paths absolute, points secrets at the target', () => {
    const services = p.document.services as Record<string, Record<string, unknown>>;
    expect(Object.keys(services).sort()).toEqual(['api', 'redis', 'worker']);
    expect(services.api.volumes).toEqual(['/repo/compose/config:/etc/api:ro']);
    expect(services.redis.volumes).toEqual(['redis-data:/data']);
    expect((p.document.secrets as Record<string, unknown>).redis_password).toEqual({
      file: '/state/erp/secrets/redis_password',
    });
    expect(
      prepareCompose(rendered, '/r', secrets, { COMPOSE_PROFILES: 'grafana' }).hashes.grafana,
    ).toBeDefined();
  });

  it('labels every service with a stable hash that changes with its definition and its secrets', () => {
    expect(prepareCompose(rendered, '/repo/compose', secrets, {}).hashes).toEqual(p.hashes);
    const other = prepareCompose(
      rendered.replace('"--appendonly", "yes"', '"--appendonly", "no"'),
      '/repo/compose',
      secrets,
      {},
    );
    expect(other.hashes.redis).not.toBe(p.hashes.redis);
    expect(other.hashes.api).toBe(p.hashes.api);
    // the image is not part of the definition: the plan compares image ids (a retag changes nothing)
    const retagged = prepareCompose(
      rendered.replace('erp/redis:1', 'erp/redis:sha-b'),
      '/repo/compose',
      secrets,
      {},
    );
    expect(retagged.hashes.redis).toBe(p.hashes.redis);
    const newSecret = prepareCompose(
      rendered,
      '/repo/compose',
      [{ ...secrets[0], hash: 'bbbbbbbbbbbb' }],
      {},
    );
    expect(newSecret.hashes.api).not.toBe(p.hashes.api);
    expect(newSecret.hashes.worker).toBe(p.hashes.worker);
  });

  it('writes YAML 1.1-safe output: yes stays a string for docker-compose v1', () => {
    expect(toYaml(p.document, 'x')).toContain('- "yes"');
  });
});

describe('computePlan', () => {
  const doc = prepareCompose(rendered, '/repo', secrets, {}).document;
  const ids = { api: 'sha256:new', worker: 'sha256:new', redis: 'sha256:redis' };

  it('first deploy: everything is created, in dependency levels', () => {
    const plan = computePlan(meta, doc, {}, ids);
    expect(plan.changed.sort()).toEqual(['api', 'redis', 'worker']);
    expect(plan.levels).toEqual([['redis'], ['api'], ['worker']]);
    expect(plan.services.find((s) => s.service === 'redis')?.data).toBe(true);
  });

  it('a new API image restarts api and worker only; Redis is kept', () => {
    const current = {
      api: running('api', doc, 'sha256:old'),
      worker: running('worker', doc, 'sha256:old'),
      redis: running('redis', doc, 'sha256:redis'),
    };
    const plan = computePlan(meta, doc, current, ids);
    expect(plan.changed).toEqual(['api', 'worker']);
    expect(plan.services.find((s) => s.service === 'redis')).toMatchObject({
      action: 'unchanged',
      data: true,
    });
    expect(planMarkdown(plan)).toMatch(/2 service\(s\) will restart: api → worker/);
  });

  it('the same images and definitions: nothing changes, and the plan says so', () => {
    const current = Object.fromEntries(Object.entries(ids).map(([s, id]) => [s, running(s, doc, id)]));
    const plan = computePlan(meta, doc, current, ids);
    expect(plan.changed).toEqual([]);
    expect(planMarkdown(plan)).toContain('Nothing changes');
  });

  it('a stopped service is started; a changed definition is an update', () => {
    const current = {
      api: running('api', doc, 'sha256:new', { configHash: 'other' }),
      worker: running('worker', doc, 'sha256:new', {
        replicas: { running: 0, desired: 1 },
        health: 'stopped',
      }),
      redis: running('redis', doc, 'sha256:redis'),
    };
    const plan = computePlan(meta, doc, current, ids);
    expect(
      plan.services.filter((s) => s.action !== 'unchanged').map((s) => [s.service, s.action, s.reason]),
    ).toEqual([
      ['api', 'update', 'definition changed'],
      ['worker', 'start', 'not running (stopped)'],
    ]);
  });

  it('a data service only retagged (same image id) is kept; Swarm gets the reference it runs', () => {
    const current = {
      api: running('api', doc, 'sha256:old'),
      worker: running('worker', doc, 'sha256:old'),
      redis: running('redis', doc, 'sha256:redis', { ref: 'erp/redis:sha-a' }),
    };
    const plan = computePlan(meta, doc, current, ids);
    expect(plan.changed).toEqual(['api', 'worker']);
    expect(plan.services.find((s) => s.service === 'redis')).toMatchObject({
      action: 'unchanged',
      reason: 'same image id (retagged erp/redis:sha-a → erp/redis:1)',
      currentRef: 'erp/redis:sha-a',
      nextRef: 'erp/redis:1',
    });
    const services = pinKeptRefs(doc, plan).services as Record<string, Record<string, unknown>>;
    expect([services.redis.image, services.api.image]).toEqual(['erp/redis:sha-a', 'erp/api:v2']);
    expect(services.redis.labels).toEqual(
      (doc.services as Record<string, Record<string, unknown>>).redis.labels,
    );
    expect(pinKeptRefs(doc, computePlan(meta, doc, {}, ids))).toBe(doc);
  });

  it('a new reference is an update when the image id is not the same or not known', () => {
    const current = {
      api: running('api', doc, 'sha256:new'),
      worker: running('worker', doc, 'sha256:new'),
      redis: running('redis', doc, 'sha256:redis', { ref: 'erp/redis:sha-a' }),
    };
    const other = computePlan(meta, doc, current, { ...ids, redis: 'sha256:other' });
    const unknown = computePlan(meta, doc, current, { ...ids, redis: '' });
    expect([other.changed, unknown.changed]).toEqual([['redis'], ['redis']]);
    expect(unknown.services.find((s) => s.service === 'redis')?.reason).toBe(
      'image reference erp/redis:sha-a → erp/redis:1',
    );
  });
});

describe('releases', () => {
  const rel = (id: string, outcome: Release['outcome'], api: string): Release => ({
    id,
    environment: 'staging',
    driver: 'compose',
    target: 'local',
    services: { api: { ref: `erp/api:${api}`, imageId: `sha256:${api}`, digest: '' } },
    changed: ['api'],
    who: 'me',
    at: '2026-01-01T00:00:00Z',
    outcome,
  });
  const history = [
    rel('r1', 'healthy', 'a'),
    rel('r2', 'healthy', 'b'),
    rel('r3', 'rolled-back', 'c'),
    rel('r4', 'healthy', 'b'),
  ];

  it('ids sort by time and are unique', () => {
    const a = newReleaseId(new Date('2026-11-26T06:17:00Z'));
    expect(a).toMatch(/^r20261126-061700-[0-9a-f]{4}$/);
    expect(newReleaseId(new Date('2026-11-26T06:17:01Z')) > a).toBe(true);
  });

  it('the known-good is the last healthy release', () => {
    expect(knownGood(history)?.id).toBe('r4');
    expect(knownGood([rel('r1', 'failed', 'a')])).toBeUndefined();
  });

  it('"previous" is the last healthy release that ran other images', () => {
    expect(resolveRollback(history, 'previous').id).toBe('r1');
    expect(resolveRollback(history, 'r3').id).toBe('r3');
  });

  it('unknown ids and an empty history are bad input with a clear message', () => {
    expect(() => resolveRollback(history, 'r9')).toThrow(
      /unknown release "r9" \(records beyond keepReleases are pruned\); recent releases: r1, r2, r3, r4/,
    );
    expect(() => resolveRollback([], 'previous')).toThrow(InputError);
  });
});
