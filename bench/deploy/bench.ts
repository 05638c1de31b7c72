/**
 * Deploy benchmark on the local engine, one run, fixture stack (api + worker + Redis), loopback load with one
 * fresh connection per request:
 *  1. failed requests while the API goes v1 → v2 under ~RPS req/s: Swarm driver vs Compose driver vs a naive
 *     `docker-compose up -d` recreate of the same file (the peer);
 *  2. time from a failed rollout (a crash-looping image) to the previous release serving again, per driver
 *     (target ≤ 10 s).
 * Prints numbers and ratios; exits 1 when Swarm failed a request or a rollback missed 10 s.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryLogger } from '../../src/core/log.js';
import { run } from '../../src/core/exec.js';
import { deploy, RolloutFailedError } from '../../src/core/deploy/index.js';
import {
  fixtureProject,
  imageMap,
  removeProject,
  DOCKER,
  type Variant,
} from '../../test/fixtures/deploy/fixture.js';
import { probe, type ProbeResult } from '../../test/fixtures/deploy/probe.js';

const RPS = Number(process.env.ERP_BENCH_RPS ?? 200);
const PORTS = { compose: 32041, swarm: 32042, naive: 32043 };
const fx = fixtureProject('bench', { stagingPort: PORTS.compose, productionPort: PORTS.swarm });
const vars = { ...process.env, ERPT_APP_TOKEN: 'bench-token' };
const projects = {
  compose: fx.config.environments.staging.projectName,
  swarm: fx.config.environments.production.projectName,
  naive: 'erpt-deploy-bench-naive',
};

/** Marks when the core declares the rollout failed (the moment an automatic rollback starts). */
class TimedLogger extends MemoryLogger {
  failedAt = 0;
  override warn(m: string): void {
    if (!this.failedAt && /rolling back to/.test(m)) this.failedAt = Date.now();
    super.warn(m);
  }
}

const envOf = (driver: 'compose' | 'swarm') => (driver === 'swarm' ? 'production' : 'staging');
const url = (port: number) => `http://127.0.0.1:${port}/api/v1/x`;

async function deployTo(driver: 'compose' | 'swarm', variant: Variant, logger = new MemoryLogger()) {
  return deploy(
    { config: fx.config, environment: envOf(driver), logger, vars },
    { images: await imageMap(variant) },
  );
}

async function underLoad(port: number, work: () => Promise<unknown>): Promise<ProbeResult> {
  const load = probe(url(port), RPS, 600_000);
  await new Promise((r) => setTimeout(r, 2000)); // steady state first
  await work().catch(() => undefined);
  await new Promise((r) => setTimeout(r, 2000));
  return load.stop();
}

function line(name: string, r: ProbeResult): string {
  return `${name.padEnd(8)} ${String(r.ok + r.failed).padStart(6)} requests  ${String(r.failed).padStart(5)} failed  versions ${JSON.stringify(r.versions)}  errors ${JSON.stringify([...new Set(r.errors)])}`;
}

async function naiveRecreate(): Promise<ProbeResult> {
  // The peer: the same rendered files the Compose driver deployed, applied with a plain `docker-compose up -d`.
  const rendered = async (variant: Variant) => {
    const r = await deployTo('compose', variant);
    const text = (
      await run('cat', [join(fx.stateDir, projects.compose, 'releases', r.release.id, 'compose.yml')])
    ).stdout;
    const file = join(fx.dir, `naive-${variant}.yml`);
    writeFileSync(file, text.replaceAll(`127.0.0.1:${PORTS.compose}:`, `127.0.0.1:${PORTS.naive}:`));
    return file;
  };
  const v1 = await rendered('v1');
  const v2 = await rendered('v2');
  console.error('naive: rendered files ready; docker-compose up -d v1');
  const up = (file: string) =>
    run('docker-compose', ['-p', projects.naive, '-f', file, 'up', '-d'], { timeoutMs: 300_000 });
  await up(v1);
  for (let i = 0; i < 60; i++) {
    const ok = await fetch(url(PORTS.naive))
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.error('naive: v1 serving; docker-compose up -d v2 under load');
  return underLoad(PORTS.naive, () => up(v2));
}

async function rollbackTime(
  driver: 'compose' | 'swarm',
  port: number,
): Promise<{ serving: number; total: number; failed: number; errors: string[] }> {
  await deployTo(driver, 'v1');
  const logger = new TimedLogger();
  let doneAt = 0;
  const r = await underLoad(port, async () => {
    await deployTo(driver, 'crash', logger).catch((e) => {
      if (!(e instanceof RolloutFailedError)) throw e;
    });
    doneAt = Date.now();
  });
  if (!logger.failedAt) throw new Error(`${driver}: the crash-looping rollout was not detected as failed`);
  // Previous release serving again: the first v1 answer after the failure after which no request failed.
  const after = r.timeline.filter((t) => t.at >= logger.failedAt).sort((a, b) => a.at - b.at);
  const lastFailure = after.filter((t) => !t.version).pop();
  const back = after.find((t) => t.version === 'v1' && (!lastFailure || t.at > lastFailure.at));
  return {
    serving: back ? (back.at - logger.failedAt) / 1000 : NaN,
    total: (doneAt - logger.failedAt) / 1000,
    failed: r.failed,
    errors: [...new Set(r.errors)],
  };
}

async function main(): Promise<number> {
  for (const [d, p] of [
    ['compose', projects.compose],
    ['swarm', projects.swarm],
    ['compose', projects.naive],
  ] as const)
    await removeProject(p, d);
  try {
    console.log(
      `deploy bench: ${RPS} req/s from a loopback Node loop, one connection per request; Docker ${(await run(DOCKER, ['version', '--format', '{{.Server.Version}}'])).stdout.trim()}`,
    );
    if (process.env.ERP_BENCH_ONLY === 'rollback-swarm') {
      const rb = await rollbackTime('swarm', PORTS.swarm);
      console.log(JSON.stringify(rb));
      return 0;
    }
    await deployTo('swarm', 'v1');
    const swarm = await underLoad(PORTS.swarm, () => deployTo('swarm', 'v2'));
    console.log(line('swarm', swarm));
    await deployTo('compose', 'v1');
    const compose = await underLoad(PORTS.compose, () => deployTo('compose', 'v2'));
    console.log(line('compose', compose));
    const naive = await naiveRecreate();
    console.log(line('naive', naive));
    const ratio = (a: number, b: number) => (b ? (a / b).toFixed(2) + '×' : a === 0 ? '0 (peer 0)' : 'n/a');
    console.log(
      `RESULT failed requests during deploy at ${RPS} req/s | swarm ${swarm.failed} | compose ${compose.failed} | naive up -d ${naive.failed} | swarm/naive ${ratio(swarm.failed, naive.failed)} | compose/naive ${ratio(compose.failed, naive.failed)}`,
    );
    const rbCompose = await rollbackTime('compose', PORTS.compose);
    const rbSwarm = await rollbackTime('swarm', PORTS.swarm);
    for (const [n, r] of [
      ['compose', rbCompose],
      ['swarm', rbSwarm],
    ] as const) {
      console.log(
        `ROLLBACK ${n}: failed rollout → previous release serving ${r.serving.toFixed(1)} s (target ≤ 10 s, ratio ${(r.serving / 10).toFixed(2)}); rollback finished after ${r.total.toFixed(1)} s; ${r.failed} requests failed around it ${JSON.stringify(r.errors)}`,
      );
    }
    return swarm.failed === 0 && rbCompose.serving <= 10 && rbSwarm.serving <= 10 ? 0 : 1;
  } finally {
    for (const [d, p] of [
      ['compose', projects.compose],
      ['swarm', projects.swarm],
      ['compose', projects.naive],
    ] as const)
      await removeProject(p, d);
  }
}

process.exitCode = await main();
