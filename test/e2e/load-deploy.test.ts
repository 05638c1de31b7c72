/**
 * Failed requests while production is deployed under steady load (~200 requests/s from a loopback generator,
 * a fresh connection per request), per driver: erp-deploy's Swarm driver (start-first behind its edge: must be 0),
 * erp-deploy's Compose driver, and a naive `docker-compose up -d` recreate — the number users of Compose see.
 * Uses the deploy fixture stack (an API stand-in that drains for 2 s on SIGTERM), v1 → v2.
 * Writes the counts as JSON to $ERP_LOAD_RESULT (bench/deploy-load/run.sh prints the comparison).
 * Own names and ports: projects erpt-fault-load-*, 127.0.0.1:32530-32532.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/core/config/load.js';
import { deploy } from '../../src/core/deploy/index.js';
import { MemoryLogger } from '../../src/core/log.js';
import { run } from '../../src/core/exec.js';
import { FIXTURE_DIR, buildApp, getJson, imageMap, removeProject } from '../fixtures/deploy/fixture.js';
import { playTraffic, waitFor, type TrafficResult } from './e2e-harness.js';

jest.setTimeout(900_000);
const RPS = Number(process.env.ERP_LOAD_RPS ?? 200);
const SWARM = { project: 'erpt-fault-load-swarm', port: 32530 };
const COMPOSE = { project: 'erpt-fault-load-compose', port: 32531 };
const NAIVE = { project: 'erpt-fault-load-naive', port: 32532 };
const dir = mkdtempSync(join(tmpdir(), 'erpt-fault-load-'));
const vars: NodeJS.ProcessEnv = { ...process.env, ERPT_APP_TOKEN: 'load-token' };
const results: Record<string, TrafficResult & { seconds: number }> = {};

const config = (() => {
  const file = join(dir, 'erp-deploy.yml');
  const text = `version: 1
project: erpt-fault-load
compose:
  files: [${join(FIXTURE_DIR, 'docker-compose.yml')}]
stateDir: ${join(dir, 'state')}
environments:
  swarm:
    driver: swarm
    projectName: ${SWARM.project}
    url: http://127.0.0.1:${SWARM.port}
    healthTimeout: 90s
    env: { ERPT_API_PORT: "${SWARM.port}", ERP_SWARM_INIT: "true", ERP_EDGE_IMAGE: erp-deploy/python:offline }
    secrets: { app_token: ERPT_APP_TOKEN }
  compose:
    driver: compose
    projectName: ${COMPOSE.project}
    url: http://127.0.0.1:${COMPOSE.port}
    healthTimeout: 60s
    env: { ERPT_API_PORT: "${COMPOSE.port}" }
    secrets: { app_token: ERPT_APP_TOKEN }
`;
  writeFileSync(file, text);
  return parseConfig(text, file);
})();

/** Plays RPS on the environment's API while `change` runs, until v2 answers (+2 s), bounded to 3 minutes. */
async function underLoad(name: string, port: number, change: () => Promise<unknown>): Promise<void> {
  const url = `http://127.0.0.1:${port}/x`;
  const started = Date.now();
  const traffic = playTraffic([url], RPS, 180_000);
  await new Promise((r) => setTimeout(r, 3000)); // steady state first
  await change();
  const v2 = await waitFor(async () => (await getJson(url))?.version === 'v2', 60_000, 250);
  await new Promise((r) => setTimeout(r, 2000));
  const t = await traffic.stop();
  results[name] = { ...t, seconds: (Date.now() - started) / 1000 };
  process.stdout.write(
    `load ${name}: ${t.sent} requests, ${t.failed} failed ${JSON.stringify(t.failures)}\n`,
  );
  expect(v2).toBe(true);
  expect(t.sent).toBeGreaterThan(RPS * 4); // the generator really kept up
}

const naiveFile = join(dir, 'naive.yml');
const naive = (tag: string) =>
  run('docker-compose', ['-p', NAIVE.project, '-f', naiveFile, 'up', '-d'], {
    env: { ...process.env, NAIVE_TAG: tag },
    timeoutMs: 180_000,
  });

const cleanup = async () => {
  await removeProject(SWARM.project, 'swarm');
  await removeProject(COMPOSE.project, 'compose');
  await run('docker-compose', ['-p', NAIVE.project, '-f', naiveFile, 'down', '-v'], {
    ignoreReturnCode: true,
  });
};

beforeAll(async () => {
  // the naive peer: the same API stand-in, `image:` from a variable, `docker-compose up -d` recreates it
  writeFileSync(
    naiveFile,
    `version: '3.8'\nservices:\n  api:\n    image: erpt-deploy/app:\${NAIVE_TAG}\n    ports: ['127.0.0.1:${NAIVE.port}:8000']\n    stop_grace_period: 5s\n`,
  );
  await cleanup();
  await buildApp('v1');
  await buildApp('v2');
});
afterAll(async () => {
  await cleanup();
  const out = process.env.ERP_LOAD_RESULT;
  if (out) writeFileSync(out, JSON.stringify({ rps: RPS, results }, null, 2) + '\n');
  rmSync(dir, { recursive: true, force: true });
});

describe(`failed requests during a production API deploy at ${RPS} requests/s`, () => {
  it('Swarm driver (start-first behind the edge): no request fails', async () => {
    const ctx = { config, environment: 'swarm', logger: new MemoryLogger(), vars };
    await deploy(ctx, { images: await imageMap('v1') });
    await underLoad('swarm', SWARM.port, async () => deploy(ctx, { images: await imageMap('v2') }));
    expect([results.swarm.failed, results.swarm.failures]).toEqual([0, {}]);
  });

  it('Compose driver: counted (Compose stops the old container before the new one starts)', async () => {
    const ctx = { config, environment: 'compose', logger: new MemoryLogger(), vars };
    await deploy(ctx, { images: await imageMap('v1') });
    await underLoad('compose', COMPOSE.port, async () => deploy(ctx, { images: await imageMap('v2') }));
    expect(results.compose.failed).toBeLessThan(results.compose.sent);
  });

  it('naive `docker-compose up -d` recreate: counted', async () => {
    await naive('v1');
    await waitFor(
      async () => (await getJson(`http://127.0.0.1:${NAIVE.port}/x`))?.version === 'v1',
      30_000,
      250,
    );
    await underLoad('naive', NAIVE.port, () => naive('v2'));
    expect(results.naive.failed).toBeLessThan(results.naive.sent);
  });
});
