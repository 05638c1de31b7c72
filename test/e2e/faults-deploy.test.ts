/**
 * The fault suite on the real engine, with the small deploy fixture stack (an API stand-in, a worker and a Redis
 * data service with a named volume) to keep CI time down. Every fault must end on the last known-good release,
 * with the lock released and the data written before it still there:
 * crash-looping image, never-healthy image, Prometheus down during the gate, Redis restarted mid-deploy, the
 * SSH connection cut mid-deploy (a real sshd on 127.0.0.1), two deploys to one environment at once, and the
 * gate's deadline reached.
 * Own names and ports: projects erpt-fault-*, container erpt-fault-prom, 127.0.0.1:32500-32599.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/core/config/load.js';
import type { ProjectConfig } from '../../src/core/config/types.js';
import { deploy, lock, releases, rollback, RolloutFailedError } from '../../src/core/deploy/index.js';
import { runChecks } from '../../src/core/gates/run.js';
import { MemoryLogger } from '../../src/core/log.js';
import { FIXTURE_DIR, getJson, imageMap, removeProject, type Variant } from '../fixtures/deploy/fixture.js';
import { docker, redisKeyCount, runningContainers, waitFor } from './e2e-harness.js';

jest.setTimeout(900_000);
const dir = mkdtempSync(join(tmpdir(), 'erpt-fault-'));
const STG = { project: 'erpt-fault-stg', port: 32501 };
const SSH = { project: 'erpt-fault-ssh', port: 32502, sshd: 32520 };
const PROM = { name: 'erpt-fault-prom', port: 32510 };
const vars: NodeJS.ProcessEnv = { ...process.env, ERPT_APP_TOKEN: 'fault-suite-token' };
let config: ProjectConfig;
let sshd: ChildProcess | undefined;

function writeConfig(sshKeyFile: string): ProjectConfig {
  const text = `version: 1
project: erpt-fault
compose:
  files: [${join(FIXTURE_DIR, 'docker-compose.yml')}]
stateDir: ${join(dir, 'state')}
gates: { file: ${join(dir, 'gates.yml')}, deadline: 60s }
probes: [{ name: live, url: /health/live, retries: 2 }]
environments:
  staging:
    driver: compose
    projectName: ${STG.project}
    url: http://127.0.0.1:${STG.port}
    prometheusUrl: http://127.0.0.1:${PROM.port}
    healthTimeout: 30s
    env: { ERPT_API_PORT: "${STG.port}" }
    secrets: { app_token: ERPT_APP_TOKEN }
  remote:
    driver: compose
    target: ssh://root@127.0.0.1:${SSH.sshd}
    sshKeyEnv: ERPT_FAULT_SSH_KEY
    projectName: ${SSH.project}
    url: http://127.0.0.1:${SSH.port}
    healthTimeout: 30s
    env: { ERPT_API_PORT: "${SSH.port}" }
    secrets: { app_token: ERPT_APP_TOKEN }
`;
  vars.ERPT_FAULT_SSH_KEY = readFileSync(sshKeyFile, 'utf8');
  const file = join(dir, 'erp-deploy.yml');
  writeFileSync(file, text);
  return parseConfig(text, file);
}

/**
 * A gate over Prometheus' own `up`: passes after 6 measurements 2 s apart while Prometheus answers. The
 * patient variant retries errors (a Prometheus that does not answer in time) until the run's deadline.
 */
function writeGates(): void {
  const gates = (errors: number) => `version: 1
defaults: { interval: 2s, count: 6, errorRetryInterval: 1s, consecutiveErrorLimit: ${errors}, timeout: 2s }
gates:
  - name: prometheus-up
    query: max(up{job="prometheus"})
    successCondition: result == 1
`;
  writeFileSync(join(dir, 'gates.yml'), gates(2));
  writeFileSync(join(dir, 'gates-patient.yml'), gates(1000));
}

const ctx = (environment: string, logger = new MemoryLogger()) => ({ config, environment, logger, vars });

async function deployVariant(
  environment: string,
  v: Variant,
  extra: Parameters<typeof deploy>[1] | object = {},
) {
  return deploy(ctx(environment), { images: await imageMap(v), ...extra });
}

/** What a fault must leave: the known-good release serving, the lock free, the data intact. */
async function expectKnownGood(
  environment: string,
  project: string,
  port: number,
  version: string,
  keys: number,
) {
  const list = await releases(ctx(environment));
  const good = list.releases.find((r) => r.id === list.knownGood);
  expect(good?.services.api.ref).toBe(`erpt-deploy/app:${version}`);
  const answer = await waitFor(async () => (await getJson(`http://127.0.0.1:${port}/x`))?.version, 20_000);
  expect(answer).toBe(version);
  expect((await lock(ctx(environment), 'status')).holder).toBeUndefined();
  expect(await redisKeyCount(project, 'cache', 'fault:*')).toBe(keys);
}

async function writeKeys(project: string, n: number): Promise<void> {
  const [id] = await runningContainers(project, 'cache');
  const args = Array.from({ length: n }, (_, i) => [`fault:${i}`, `value-${i}`]).flat();
  await docker('exec', id, 'redis-cli', 'MSET', ...args);
  await new Promise((r) => setTimeout(r, 1500)); // appendfsync everysec: on disk before any restart
}

async function startPrometheus(): Promise<void> {
  const cfg = join(dir, 'prometheus.yml');
  writeFileSync(
    cfg,
    `global: { scrape_interval: 1s, scrape_timeout: 900ms }\nscrape_configs:\n  - job_name: prometheus\n    static_configs: [{ targets: ['127.0.0.1:9090'] }]\n`,
  );
  await docker('rm', '-f', PROM.name).catch(() => '');
  await docker(
    'run',
    '-d',
    '--name',
    PROM.name,
    '-p',
    `127.0.0.1:${PROM.port}:9090`,
    '-v',
    `${cfg}:/etc/prometheus/prometheus.yml:ro`,
    'erp-deploy/prometheus:offline',
  );
  await waitFor(
    async () => {
      const r = await getJson(`http://127.0.0.1:${PROM.port}/api/v1/query?query=up`).catch(() => undefined);
      return (r?.data as { result?: unknown[] } | undefined)?.result?.length;
    },
    60_000,
    500,
  );
}

async function startSshd(): Promise<string> {
  const keys = join(dir, 'ssh');
  mkdirSync(keys, { mode: 0o700 });
  await docker('version', '--format', '{{.Server.Version}}'); // the engine the remote side will use
  const { run } = await import('../../src/core/exec.js');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, 'host')]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, 'client')]);
  writeFileSync(join(keys, 'authorized_keys'), readFileSync(join(keys, 'client.pub')), { mode: 0o600 });
  const fp = (await run('ssh-keygen', ['-lf', join(keys, 'host.pub')])).stdout.split(/\s+/)[1];
  vars.ERP_DEPLOY_SSH_FINGERPRINT = fp;
  writeFileSync(
    join(keys, 'sshd_config'),
    [
      `Port ${SSH.sshd}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(keys, 'host')}`,
      `PidFile ${join(keys, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(keys, 'authorized_keys')}`,
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      'MaxSessions 50',
      'MaxStartups 50',
    ].join('\n') + '\n',
  );
  mkdirSync('/run/sshd', { recursive: true });
  sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(keys, 'sshd_config')], { stdio: 'ignore' });
  const net = await import('node:net');
  await waitFor(
    () =>
      new Promise<boolean>((r) => {
        const s = net.connect(SSH.sshd, '127.0.0.1', () => (s.destroy(), r(true)));
        s.on('error', () => r(false));
      }),
    10_000,
    200,
  );
  return join(keys, 'client');
}

/** Kill sshd's per-connection children (by pid): every open SSH connection drops, sshd keeps listening. */
async function cutSshConnections(): Promise<number> {
  const { run } = await import('../../src/core/exec.js');
  const kids = (await run('pgrep', ['-P', String(sshd!.pid)], { ignoreReturnCode: true })).stdout
    .split('\n')
    .filter(Boolean)
    .map(Number);
  for (const pid of kids) process.kill(pid, 'SIGKILL');
  return kids.length;
}

const cleanup = async () => {
  await removeProject(STG.project, 'compose');
  await removeProject(SSH.project, 'compose');
  await docker('rm', '-f', PROM.name).catch(() => '');
  await docker('rmi', 'erpt-fault/cache:a', 'erpt-fault/cache:b').catch(() => '');
};

beforeAll(async () => {
  await cleanup();
  writeGates();
  config = writeConfig(await startSshd());
  await startPrometheus();
});
afterAll(async () => {
  if (sshd?.pid) process.kill(sshd.pid, 'SIGTERM');
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('faults on staging (Compose, local engine): each ends on the known-good release', () => {
  let good = '';
  const KEYS = 50;

  it('a first healthy release with data in Redis', async () => {
    const r = await deployVariant('staging', 'v1');
    good = r.release.id;
    await writeKeys(STG.project, KEYS);
    await expectKnownGood('staging', STG.project, STG.port, 'v1', KEYS);
  });

  it('crash-looping image: automatic rollback', async () => {
    const err = await deployVariant('staging', 'crash').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RolloutFailedError);
    expect((err as RolloutFailedError).result.rolledBackTo).toBe(good);
    expect((err as Error).message).toMatch(/crash|exit|restart/i);
    await expectKnownGood('staging', STG.project, STG.port, 'v1', KEYS);
  });

  it('never-healthy image: automatic rollback', async () => {
    const err = await deployVariant('staging', 'unhealthy').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RolloutFailedError);
    expect((err as RolloutFailedError).result.rolledBackTo).toBe(good);
    await expectKnownGood('staging', STG.project, STG.port, 'v1', KEYS);
  });

  it('two deploys at once: one runs, the other fails naming the holder; with a wait both run in turn', async () => {
    const [a, b] = await Promise.allSettled([
      deployVariant('staging', 'v2', { who: 'alice (run 1)' }),
      new Promise((r) => setTimeout(r, 300)).then(() =>
        deployVariant('staging', 'v3', { who: 'bob (run 2)' }),
      ),
    ]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    expect(String((b as PromiseRejectedResult).reason)).toMatch(
      /held by alice \(run 1\) since .*deploy staging/,
    );
    // the known-good is now v2; back to v1 with a waiting second deploy racing a rollback
    const [c, d] = await Promise.allSettled([
      rollback(ctx('staging'), good, { who: 'carol' }),
      new Promise((r) => setTimeout(r, 300)).then(() =>
        deployVariant('staging', 'v1', { who: 'dave', lockWaitMs: 120_000 }),
      ),
    ]);
    expect([c.status, d.status]).toEqual(['fulfilled', 'fulfilled']);
    const audit = (await releases(ctx('staging'))).audit.map((x) => x.who);
    expect(audit.indexOf('dave')).toBeGreaterThan(audit.indexOf('carol'));
    good = (await releases(ctx('staging'))).knownGood!;
    await expectKnownGood('staging', STG.project, STG.port, 'v1', KEYS);
  });

  it('Redis restarted mid-deploy: the deploy ends healthy or rolls back; no data lost', async () => {
    const restart = (async () => {
      await new Promise((r) => setTimeout(r, 800));
      const [id] = await runningContainers(STG.project, 'cache');
      await docker('restart', '-t', '2', id);
    })();
    const result = await deployVariant('staging', 'v2').catch((e: unknown) => e);
    await restart;
    const list = await releases(ctx('staging'));
    const version = list.releases.find((r) => r.id === list.knownGood)!.services.api.ref.split(':')[1];
    if (result instanceof RolloutFailedError) expect(version).toBe('v1');
    else expect(version).toBe('v2');
    await waitFor(async () => (await runningContainers(STG.project, 'cache')).length, 20_000);
    await expectKnownGood('staging', STG.project, STG.port, version, KEYS);
    if (version !== 'v1') await rollback(ctx('staging'), good);
    await expectKnownGood('staging', STG.project, STG.port, 'v1', KEYS);
  });

  /** Deploy v2, run the gate (a failure is anything but `passed`), roll back as the pipeline does. */
  async function gateThenRollback(act: () => Promise<void>, deadline: string, gatesFile = 'gates.yml') {
    const r = await deployVariant('staging', 'v2');
    const check = runChecks({
      config,
      environment: 'staging',
      deadline,
      gatesFile,
      logger: new MemoryLogger(),
    });
    await act();
    const verdict = (await check).verdict;
    expect(verdict).not.toBe('passed');
    await rollback(ctx('staging'), r.previous!.id);
    await expectKnownGood('staging', STG.project, STG.port, 'v1', KEYS);
    return verdict;
  }

  it('Prometheus down during the gate: the gate errors, never a pass; rollback', async () => {
    const verdict = await gateThenRollback(async () => {
      await new Promise((r) => setTimeout(r, 3000));
      await docker('stop', '-t', '1', PROM.name);
    }, '60s');
    expect(verdict).toMatch(/error|failed/);
    await docker('start', PROM.name);
  });

  it("the gate's deadline reached: not a pass; rollback", async () => {
    // Prometheus frozen (not gone): every query times out, the gate keeps retrying, the 15 s deadline ends it
    await waitFor(
      async () => (await docker('inspect', '-f', '{{.State.Running}}', PROM.name)) === 'true',
      30_000,
    );
    const started = Date.now();
    await gateThenRollback(
      () => docker('pause', PROM.name).then(() => undefined),
      '15s',
      'gates-patient.yml',
    );
    expect(Date.now() - started).toBeGreaterThan(15_000);
    await docker('unpause', PROM.name);
  });

  it('a data service whose image is only retagged (same image id) is not restarted', async () => {
    // what every new commit does to redis/prometheus: build-images retags the same image sha-<new commit>
    await docker('tag', 'erp-deploy/redis:offline', 'erpt-fault/cache:a');
    await docker('tag', 'erp-deploy/redis:offline', 'erpt-fault/cache:b');
    const id = await docker('image', 'inspect', '-f', '{{.Id}}', 'erp-deploy/redis:offline');
    const entry = (tag: string) => ({
      service: 'cache',
      image: 'erpt-fault/cache',
      tag,
      tags: [tag],
      digest: '',
      imageId: id,
      ref: `erpt-fault/cache:${tag}`,
      sizeBytes: 0,
      status: 'built' as const,
      seconds: 0,
    });
    const v1 = await imageMap('v1');
    await deploy(ctx('staging'), { images: { ...v1, cache: entry('a') } });
    await writeKeys(STG.project, KEYS); // (again: the case also runs alone with -t)
    const before = await runningContainers(STG.project, 'cache');
    const r = await deploy(ctx('staging'), { images: { ...v1, cache: entry('b') } });
    const cache = r.plan.services.find((x) => x.service === 'cache');
    expect([cache?.action, await runningContainers(STG.project, 'cache')]).toEqual(['unchanged', before]);
    await expectKnownGood('staging', STG.project, STG.port, 'v1', KEYS);
  });
});

describe('SSH connection cut mid-deploy (real sshd on 127.0.0.1)', () => {
  const KEYS = 30;
  let good = '';

  it('ends on the known-good release once the post step frees the lock and the rollback runs', async () => {
    const first = await deployVariant('remote', 'v1');
    good = first.release.id;
    await writeKeys(SSH.project, KEYS);
    await expectKnownGood('remote', SSH.project, SSH.port, 'v1', KEYS);

    let token = '';
    let timer: NodeJS.Timeout | undefined;
    const lockDir = join(dir, 'state', SSH.project, 'lock');
    // cut once the lock is fully taken (holder written, token known), mid-rollout
    const cut = waitFor(
      async () => token !== '' && existsSync(join(lockDir, 'holder.json')),
      60_000,
      50,
    ).then(async () => {
      await new Promise((r) => setTimeout(r, 300));
      return cutSshConnections();
    });
    // Bounded: a deploy whose connection is gone must fail, not wait forever.
    const outcome = await Promise.race([
      deployVariant('remote', 'v2', { onLocked: (h: { token: string }) => (token = h.token) }).then(
        () => 'finished',
        (e: unknown) => `failed: ${(e as Error).message}`,
      ),
      new Promise<string>((r) => {
        timer = setTimeout(() => r('still running 30 s after the cut'), 30_000);
      }),
    ]);
    clearTimeout(timer);
    expect(await cut).toBeGreaterThan(0);
    expect(token).not.toBe('');
    // the action's post step (always runs): a new connection frees the lock this run took
    const freed = await lock(ctx('remote'), 'release', { token });
    expect(freed.message).toMatch(/released|not locked/);
    // the workflow's rollback step: back to the known-good release by id
    await rollback(ctx('remote'), good);
    await expectKnownGood('remote', SSH.project, SSH.port, 'v1', KEYS);
    expect(outcome).toMatch(/^failed: .*(SSH|connection|closed|lost)/i);
  });
});
