/**
 * The ERP stack on the local engine (compose project erpt-stack, staging overlay, ports 31100-31199 on
 * 127.0.0.1): images built from compose/, every service healthy, traffic and tasks, every Prometheus target
 * up, every dashboard panel query and every PromQL example of docs/monitoring.md returns data, Redis keeps
 * its data across a restart, a missing secret stops a service with one clear line. Grafana is skipped.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { expandGrafanaMacros, panelQueries } from '../../src/dashboards/index.js';
import {
  api,
  buildImages,
  http,
  compose,
  containers,
  docsPromql,
  dockerOut,
  JOBS,
  lockStack,
  makeSecrets,
  PORTS,
  promQuery,
  redisCli,
  removeSecrets,
  SERVICES,
  sleep,
  stackEnv,
  unlockStack,
  waitHealthy,
} from './stack-harness.js';

// jest.config.js sets testTimeout per project, which jest 29 ignores there: set it here.
jest.setTimeout(600_000);

const secrets = makeSecrets();
// 3 % of /api/v1/* requests answer 500, so the error panels and examples have data.
const env = stackEnv(secrets.dir, { ERP_FAULT_ERROR_RATE: '0.03' });
const timings: Record<string, number> = {};
const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
  const t = Date.now();
  try {
    return await f();
  } finally {
    timings[name] = Math.round((Date.now() - t) / 1000);
  }
};
const createdCustomers: string[] = [];

/** Customers, orders, invoices, rendered invoices, reports, a render that retries then fails, an unknown path. */
async function generateTraffic(round: number): Promise<string[]> {
  const tasks: string[] = [];
  for (let i = 0; i < 4; i++) {
    const c = await api('POST', '/api/v1/customers', {
      name: `Customer ${round}-${i}`,
      email: `c${round}${i}@example.com`,
    });
    expect(c.status).toBe(201);
    const customer = (c.json as { id: string }).id;
    createdCustomers.push(customer);
    const o = await api('POST', '/api/v1/orders', {
      customer_id: customer,
      lines: [{ sku: 'SKU-1', quantity: i + 1, unit_price_cents: 1250 }],
    });
    expect(o.status).toBe(201);
    const order = (o.json as { id: string }).id;
    const inv = await api('POST', '/api/v1/invoices', { order_id: order });
    expect(inv.status).toBe(201);
    const invoice = (inv.json as { id: string }).id;
    if (i === 3) expect((await api('DELETE', `/api/v1/orders/${order}`)).status).toBe(204); // render retries, then fails
    const r = await api('POST', `/api/v1/invoices/${invoice}/render`);
    expect(r.status).toBe(202);
    tasks.push((r.json as { task_id: string }).task_id);
    await api('GET', `/api/v1/customers/${customer}`);
    await api('GET', `/api/v1/orders/${order}`);
  }
  for (const kind of ['sales', 'customers']) {
    const r = await api('POST', '/api/v1/reports', { kind });
    expect(r.status).toBe(202);
    tasks.push((r.json as { task_id: string }).task_id);
  }
  await api('GET', '/api/v1/customers');
  expect((await api('GET', '/no/such/path')).status).toBe(404);
  return tasks;
}

async function waitTasksDone(ids: string[], timeoutMs: number): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  const states: Record<string, string> = {};
  while (Date.now() < deadline) {
    for (const id of ids) {
      if (['SUCCESS', 'FAILURE'].includes(states[id])) continue;
      states[id] = ((await api('GET', `/api/v1/tasks/${id}`)).json as { state: string }).state;
    }
    if (ids.every((id) => ['SUCCESS', 'FAILURE'].includes(states[id]))) return states;
    await sleep(1000);
  }
  throw new Error(`tasks not finished within ${timeoutMs / 1000}s: ${JSON.stringify(states)}`);
}

/** Queries that return no series yet are retried until `timeoutMs` (Prometheus needs two scrapes for rate). */
async function emptyQueries(exprs: string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let empty = exprs;
  for (;;) {
    const results = await Promise.all(empty.map(async (e) => [e, (await promQuery(e)).length] as const));
    empty = results.filter(([, n]) => n === 0).map(([e]) => e);
    if (!empty.length) return empty;
    if (Date.now() > deadline) {
      // Say what Prometheus does have, per job, so a failure on another machine can be read from the log.
      const names = await promQuery('count by (job, __name__) ({job!=""})');
      const byJob: Record<string, string[]> = {};
      for (const n of names) (byJob[n.metric.job] ??= []).push(n.metric.__name__);
      console.log(
        `queries still empty after ${timeoutMs / 1000}s: ${JSON.stringify(empty)}\nseries names by job: ${JSON.stringify(
          Object.fromEntries(Object.entries(byJob).map(([j, xs]) => [j, xs.sort()])),
        )}`,
      );
      return empty;
    }
    await sleep(5000);
  }
}

const containerOf = async (service: string): Promise<string> => {
  const c = (await containers()).find((x) => x.service === service);
  if (!c) throw new Error(`no container for ${service}`);
  return c.id;
};

beforeAll(async () => {
  await lockStack(600_000);
  await compose(env, ['down', '-v', '--remove-orphans'], 120_000);
  await timed('build', () => buildImages(env));
  console.log(
    'grafana: skipped — Grafana has no Debian, PyPI or npm distribution and no registry is reachable here; its dashboards are checked by running every panel query against this Prometheus',
  );
  await timed('up', () => compose(env, ['up', '-d'], 300_000));
  await timed('healthy', () => waitHealthy(SERVICES, 240_000));
}, 900_000);

afterAll(async () => {
  try {
    console.log(`stack e2e timings (s): ${JSON.stringify(timings)}`);
    const ps = await compose(env, ['ps'], 60_000).catch(() => undefined);
    if (ps) console.log(ps.stdout);
    await compose(env, ['down', '-v', '--remove-orphans'], 180_000);
  } finally {
    removeSecrets(secrets.dir);
    unlockStack();
  }
}, 300_000);

describe('the ERP stack on the local engine', () => {
  it('runs every service healthy, Grafana left out by its profile', async () => {
    const states = await containers();
    for (const s of SERVICES) {
      expect(states.filter((c) => c.service === s).map((c) => c.health)).toEqual(['healthy']);
    }
    expect(states.map((c) => c.service)).not.toContain('grafana');
  });

  it('runs no service as root', async () => {
    const users: Record<string, string> = {};
    for (const c of await containers()) users[c.service] = await dockerOut(['exec', c.id, 'id', '-u']);
    expect(Object.keys(users).sort()).toEqual([...SERVICES].sort());
    expect(Object.entries(users).filter(([, uid]) => uid === '0')).toEqual([]);
  });

  it('serves traffic and runs tasks through the worker (one render retries and fails)', async () => {
    const tasks = await timed('traffic', async () => [
      ...(await generateTraffic(1)),
      ...(await generateTraffic(2)),
    ]);
    const states = await timed('tasks', () => waitTasksDone(tasks, 120_000));
    expect(Object.values(states).filter((s) => s === 'FAILURE')).toHaveLength(2);
    expect(Object.values(states).filter((s) => s === 'SUCCESS')).toHaveLength(tasks.length - 2);
    const ready = await api('GET', '/health/ready');
    expect(ready.status).toBe(200);
  });

  it('has every Prometheus target up, one per contract job', async () => {
    const deadline = Date.now() + 60_000;
    let targets: { labels: { job: string }; health: string; lastError: string }[] = [];
    while (Date.now() < deadline) {
      const r = await fetch(`http://127.0.0.1:${PORTS.prometheus}/api/v1/targets?state=active`);
      targets = ((await r.json()) as { data: { activeTargets: typeof targets } }).data.activeTargets;
      if (targets.length && targets.every((t) => t.health === 'up')) break;
      await sleep(3000);
    }
    expect(targets.map((t) => t.labels.job).sort()).toEqual(JOBS);
    expect(targets.filter((t) => t.health !== 'up').map((t) => `${t.labels.job}: ${t.lastError}`)).toEqual(
      [],
    );
  });

  it('sends alerts to Alertmanager and keeps Flower behind basic auth', async () => {
    const am = await http('GET', `http://127.0.0.1:${PORTS.prometheus}/api/v1/alertmanagers`);
    const active = (am.json as { data: { activeAlertmanagers: { url: string }[] } }).data.activeAlertmanagers;
    expect(active.map((a) => a.url)).toEqual(['http://alertmanager:9093/api/v2/alerts']);
    const flower = `http://127.0.0.1:${PORTS.flower}/`;
    expect((await http('GET', flower)).status).toBe(401);
    const auth = `Basic ${Buffer.from(secrets.flowerAuth).toString('base64')}`;
    expect((await http('GET', flower, undefined, { authorization: auth })).status).toBe(200);
  });

  it('returns data for every dashboard panel query', async () => {
    const queries = panelQueries();
    expect(queries.length).toBeGreaterThanOrEqual(40);
    const exprs = [...new Set(queries.map((q) => expandGrafanaMacros(q.expr)))];
    const empty = await timed('panel-queries', () => emptyQueries(exprs, 150_000));
    const names = empty.map((e) =>
      queries
        .filter((q) => expandGrafanaMacros(q.expr) === e)
        .map((q) => `${q.dashboard} / ${q.panel}: ${q.expr}`),
    );
    expect(names.flat()).toEqual([]);
  });

  it('returns data for every PromQL example in docs/monitoring.md', async () => {
    const examples = docsPromql();
    expect(examples.length).toBeGreaterThanOrEqual(10);
    expect(await timed('doc-queries', () => emptyQueries(examples, 60_000))).toEqual([]);
  });

  it('keeps Redis data across a restart and a hard kill of its container (AOF)', async () => {
    const redis = await containerOf('redis');
    // Workers and Celery add and drop keys of their own all the time: count the ERP records, plus a sentinel.
    const erpKeys = (await redisCli(redis, '--scan', '--pattern', 'erp:*'))
      .split('\n')
      .filter(Boolean).length;
    expect(erpKeys).toBeGreaterThanOrEqual(createdCustomers.length);
    expect(await redisCli(redis, 'SET', 'erpt:sentinel', 'survives')).toBe('OK');
    expect(await redisCli(redis, 'CONFIG', 'GET', 'appendonly')).toContain('yes');
    await sleep(1500); // appendfsync everysec: what was acknowledged more than a second ago is on disk
    await timed('redis-restart', async () => {
      await dockerOut(['restart', '-t', '20', redis]);
      await waitHealthy(['redis'], 120_000);
    });
    const after = (await redisCli(redis, '--scan', '--pattern', 'erp:*')).split('\n').filter(Boolean).length;
    expect(after).toBe(erpKeys);
    expect(await redisCli(redis, 'GET', 'erpt:sentinel')).toBe('survives');
    // A hard kill skips Redis's shutdown save: only the AOF (fsynced every second) brings the key back.
    expect(await redisCli(redis, 'SET', 'erpt:after-kill', 'survives')).toBe('OK');
    await sleep(1500);
    await timed('redis-kill', async () => {
      await dockerOut(['kill', '-s', 'KILL', redis]);
      await dockerOut(['start', redis]);
      await waitHealthy(['redis'], 120_000);
    });
    expect(await redisCli(redis, 'GET', 'erpt:after-kill')).toBe('survives');
    const customer = await api('GET', `/api/v1/customers/${createdCustomers[0]}`);
    expect(customer.status).toBe(200);
  });

  it('stops Redis and redis-exporter at start with one clear line when the password secret is empty', async () => {
    const bad = makeSecrets({ redis_password: '' });
    try {
      const badEnv = stackEnv(bad.dir);
      for (const [service, line] of [
        ['redis', 'redis: error: password file /run/secrets/redis_password (REDIS_PASSWORD_FILE) is empty'],
        [
          'redis-exporter',
          'redis-exporter: error: secret /run/secrets/redis_password is missing, unreadable or empty',
        ],
      ]) {
        const r = await compose(badEnv, ['run', '--rm', '--no-deps', service], 120_000, true);
        expect(r.code).not.toBe(0);
        expect(r.stderr.split('\n').filter((l) => l.includes('error:'))).toEqual([line]);
      }
    } finally {
      removeSecrets(bad.dir);
    }
  });
});
