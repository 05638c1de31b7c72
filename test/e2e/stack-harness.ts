/**
 * Helpers for the stack's container test: the compose project `erpt-stack` on the local engine with ports in
 * 31100-31199 on 127.0.0.1, throw-away secrets, health waits, Prometheus queries and the traffic generator.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type ExecResult } from '../../src/core/exec.js';
import { DOCKER } from '../helpers/docker.js';
import { offlineEnv, ROOT } from './build-harness.js';
import { RUNNABLE_SERVICES } from '../helpers/stack-services.js';

export const PROJECT = 'erpt-stack';
export const PORTS = { api: 31180, prometheus: 31190, flower: 31155, alertmanager: 31193, grafana: 31130 };
export const SERVICES = RUNNABLE_SERVICES;
export const JOBS = ['alertmanager', 'api', 'flower', 'node', 'prometheus', 'redis', 'worker'];
const FILES = ['compose/docker-compose.yml', 'compose/docker-compose.staging.yml'].map((f) => join(ROOT, f));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const LOCK = join(tmpdir(), `${PROJECT}.lock`);
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * One stack test at a time on this engine: a second run (another jest invocation that matched this file)
 * waits for the first instead of tearing its project down. A lock left by a dead process is taken over.
 */
export async function lockStack(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      return;
    } catch {
      const owner = Number(readFileSync(LOCK, 'utf8') || '0');
      if (!owner || !alive(owner)) rmSync(LOCK, { force: true });
      else if (Date.now() > deadline)
        throw new Error(`${LOCK} held by process ${owner} for ${timeoutMs / 1000}s`);
      else await sleep(2000);
    }
  }
}

export function unlockStack(): void {
  if (existsSync(LOCK) && readFileSync(LOCK, 'utf8') === String(process.pid)) rmSync(LOCK, { force: true });
}

/** Secrets as the contract wants them: files 0444 in a 0700 directory; the Redis password has quoting traps. */
export function makeSecrets(overrides: Record<string, string> = {}): {
  dir: string;
  redisPassword: string;
  flowerAuth: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'erpt-stack-secrets-'));
  chmodSync(dir, 0o700);
  const redisPassword = `r"e\\d$is'${randomBytes(8).toString('hex')}`;
  const flowerAuth = `admin:${randomBytes(8).toString('hex')}`;
  const files = {
    redis_password: redisPassword,
    flower_basic_auth: flowerAuth,
    grafana_admin_password: randomBytes(12).toString('hex'),
    ...overrides,
  };
  for (const [name, value] of Object.entries(files)) {
    writeFileSync(join(dir, name), value ? value + '\n' : '');
    chmodSync(join(dir, name), 0o444);
  }
  return { dir, redisPassword, flowerAuth };
}

export function removeSecrets(dir: string): void {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
}

/** The environment compose runs with: offline bases, test image names and ports, BuildKit through /usr/bin. */
export function stackEnv(secretsDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...offlineEnv(),
    PATH: `/usr/bin:${process.env.PATH ?? ''}`,
    DOCKER_BUILDKIT: '1',
    COMPOSE_DOCKER_CLI_BUILD: '1',
    ERP_SECRETS_DIR: secretsDir,
    ERP_API_IMAGE: `${PROJECT}/api:test`,
    ERP_REDIS_IMAGE: `${PROJECT}/redis:test`,
    ERP_PROMETHEUS_IMAGE: `${PROJECT}/prometheus:test`,
    ERP_ALERTMANAGER_IMAGE: `${PROJECT}/alertmanager:test`,
    ERP_API_PORT: String(PORTS.api),
    ERP_PROMETHEUS_PORT: String(PORTS.prometheus),
    ERP_FLOWER_PORT: String(PORTS.flower),
    ERP_ALERTMANAGER_PORT: String(PORTS.alertmanager),
    ERP_GRAFANA_PORT: String(PORTS.grafana),
    ERP_RELEASE: 'e2e-stack',
    ...extra,
  };
}

const composeFileArgs = (): string[] => FILES.flatMap((f) => ['-f', f]);

let composeCli: string[] | undefined;
/** docker-compose (v1, this machine) or the `docker compose` plugin (v2, hosted runners). */
export async function composeCommand(): Promise<string[]> {
  if (!composeCli) {
    const v1 = await run('docker-compose', ['version', '--short'], { ignoreReturnCode: true }).catch(
      () => undefined,
    );
    composeCli = v1?.code === 0 ? ['docker-compose'] : ['docker', 'compose'];
  }
  return composeCli;
}

export async function compose(
  env: NodeJS.ProcessEnv,
  args: string[],
  timeoutMs = 300_000,
  ignoreReturnCode = false,
): Promise<ExecResult> {
  const [cmd, ...pre] = await composeCommand();
  return run(cmd, [...pre, '-p', PROJECT, ...composeFileArgs(), ...args], {
    env,
    timeoutMs,
    ignoreReturnCode,
  });
}

/**
 * Build the stack's images with `docker-compose build` (the API's wheels first: offline builds install from
 * compose/api/wheels; the script skips when they are current).
 */
export async function buildImages(env: NodeJS.ProcessEnv): Promise<void> {
  await run('bash', [join(ROOT, 'compose/api/scripts/download-wheels.sh')], { env, timeoutMs: 600_000 });
  await compose(env, ['build'], 900_000);
}

export async function dockerOut(args: string[]): Promise<string> {
  return (await run(DOCKER, args, { timeoutMs: 120_000 })).stdout.trim();
}

export interface ContainerState {
  service: string;
  id: string;
  health: string;
  running: boolean;
}

export async function containers(): Promise<ContainerState[]> {
  const ids = (await dockerOut(['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`]))
    .split('\n')
    .filter(Boolean);
  if (!ids.length) return [];
  const fmt =
    '{{.Id}}|{{index .Config.Labels "com.docker.compose.service"}}|{{.State.Running}}|{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}';
  const lines = (await dockerOut(['inspect', '-f', fmt, ...ids])).split('\n');
  return lines.map((l) => {
    const [id, service, running, health] = l.split('|');
    return { id, service, running: running === 'true', health };
  });
}

/** Wait until every expected service has a running, healthy container; bounded by `timeoutMs`. */
export async function waitHealthy(services: string[], timeoutMs: number): Promise<ContainerState[]> {
  const deadline = Date.now() + timeoutMs;
  let last: ContainerState[] = [];
  while (Date.now() < deadline) {
    last = await containers();
    const healthy = services.every((s) =>
      last.some((c) => c.service === s && c.running && c.health === 'healthy'),
    );
    if (healthy) return last;
    await sleep(2000);
  }
  const state = last.map((c) => `${c.service}=${c.running ? c.health : 'stopped'}`).join(', ');
  const waiting = last.filter((c) => services.includes(c.service) && c.health !== 'healthy');
  const logs = await Promise.all(
    waiting.map(
      async (c) =>
        `${c.service}: ${await dockerOut(['inspect', '-f', '{{json .State}}', c.id]).catch(String)}`,
    ),
  );
  throw new Error(`services not healthy within ${timeoutMs / 1000}s: ${state}\n${logs.join('\n')}`);
}

export async function http(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** An API call that retries the injected 5xx faults (ERP_FAULT_ERROR_RATE), at most 10 times. */
export async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  let last = { status: 0, json: undefined as unknown };
  for (let i = 0; i < 10; i++) {
    const r = await http(method, `http://127.0.0.1:${PORTS.api}${path}`, body);
    last = r;
    if (r.status < 500) return r;
  }
  throw new Error(`${method} ${path}: still ${last.status} after 10 tries`);
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export async function promQuery(expr: string): Promise<PromSample[]> {
  const url = `http://127.0.0.1:${PORTS.prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`;
  const r = await http('GET', url);
  const body = r.json as { status: string; error?: string; data?: { result: PromSample[] } };
  if (r.status !== 200 || body.status !== 'success')
    throw new Error(`query ${expr}: ${r.status} ${body?.error ?? r.text}`);
  return body.data?.result ?? [];
}

/** The ```promql blocks of docs/monitoring.md. */
export function docsPromql(): string[] {
  const text = readFileSync(join(ROOT, 'docs/monitoring.md'), 'utf8');
  return [...text.matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => m[1].trim());
}

/** Run a command in the Redis container with the password from its secret file (never on a command line). */
export async function redisCli(container: string, ...args: string[]): Promise<string> {
  const script = 'REDISCLI_AUTH="$(cat /run/secrets/redis_password)" exec redis-cli --no-auth-warning "$@"';
  return dockerOut(['exec', container, 'sh', '-c', script, 'redis-cli', ...args]);
}
