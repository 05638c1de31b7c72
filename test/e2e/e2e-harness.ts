/**
 * Shared by the e2e chain, fault and load suites: run a bundled action exactly as the GitHub runner does
 * (node dist/<action>/index.js, INPUT_* variables, GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files),
 * play bounded HTTP traffic on a loopback URL, and read what really runs on the engine (image ids, Redis keys).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../src/core/exec.js';
import { localDockerBinary } from '../../src/core/deploy/target-local.js';

export const DOCKER = localDockerBinary();

export async function docker(...args: string[]): Promise<string> {
  return (await run(DOCKER, args, { timeoutMs: 300_000 })).stdout.trim();
}

/** The offline images' variables (scripts/offline-images.sh), as test.sh and the demo load them. */
export function offlineImageVars(): Record<string, string> {
  const file = resolve('.erp-deploy/images.env');
  const vars: Record<string, string> = {};
  if (!existsSync(file)) return vars;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

export interface StepResult {
  code: number | null;
  /** The signal that ended the step, if one did (code is null then). */
  signal: NodeJS.Signals | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  /** What the main step saved for its post step (GITHUB_STATE), as STATE_* would pass it back. */
  state: Record<string, string>;
  ms: number;
}

/** name<<DELIM\nvalue\nDELIM blocks, as @actions/core writes GITHUB_OUTPUT and GITHUB_STATE. */
export function commandFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) out[m[1]] = m[3];
  return out;
}

export interface StepOptions {
  cwd: string;
  /** Extra environment (the runner's variables beyond GITHUB_*: e.g. the offline image variables). */
  env?: Record<string, string>;
  /** STATE_* variables (a post step gets what its main step saved). */
  state?: Record<string, string>;
  timeoutMs?: number;
  /** Called with the child's pid once it runs (fault tests act mid-step). */
  onStart?: (pid: number) => void;
}

/** Run dist/<action>/index.js as a workflow step; asynchronous, so the test can play traffic meanwhile. */
export async function runAction(
  action: string,
  inputs: Record<string, string>,
  o: StepOptions,
): Promise<StepResult> {
  const dir = mkdtempSync(join(tmpdir(), `erpt-step-${action}-`));
  const files = { GITHUB_OUTPUT: 'out', GITHUB_STATE: 'state', GITHUB_STEP_SUMMARY: 'summary' };
  for (const f of Object.values(files)) writeFileSync(join(dir, f), '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: process.env.GITHUB_API_URL ?? 'http://127.0.0.1:9',
    GITHUB_REPOSITORY: 'acme/erp',
    GITHUB_SHA: 'e'.repeat(40),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_RUN_ID: '4242',
    GITHUB_WORKSPACE: o.cwd,
    RUNNER_TEMP: dir,
    ...o.env,
    ...Object.fromEntries(Object.entries(files).map(([k, f]) => [k, join(dir, f)])),
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...Object.fromEntries(Object.entries(o.state ?? {}).map(([k, v]) => [`STATE_${k}`, v])),
  };
  const started = Date.now();
  const child = spawn(process.execPath, [resolve(`dist/${action}/index.js`)], {
    cwd: o.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid) o.onStart?.(child.pid);
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stdout += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 600_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) =>
    child.on('close', (c, s) => r([c, s])),
  );
  clearTimeout(timer);
  // Every step's whole output and files stay in its directory (ERPT_KEEP_STEPS=1 prints where): a failing
  // assertion shows the tail, the directory has the rest.
  writeFileSync(
    join(dir, 'log'),
    `${stdout}\n[exit code ${code}, signal ${signal}, ${Date.now() - started} ms]\n`,
  );
  if (process.env.ERPT_KEEP_STEPS === '1') process.stderr.write(`step ${action}: ${join(dir, 'log')}\n`);
  return {
    code,
    signal,
    stdout,
    outputs: commandFile(join(dir, 'out')),
    summary: readFileSync(join(dir, 'summary'), 'utf8'),
    state: commandFile(join(dir, 'state')),
    ms: Date.now() - started,
  };
}

export interface TrafficResult {
  sent: number;
  ok: number;
  failed: number;
  /** status or error name → count, for failures. */
  failures: Record<string, number>;
}

export interface Traffic {
  stop(): Promise<TrafficResult>;
}

/**
 * Steady GET traffic on `urls` at about `rps` requests per second, bounded by `maxMs` (and stop()).
 * Each request uses a fresh connection, so a container that goes away shows up as a failure.
 */
export function playTraffic(urls: string[], rps: number, maxMs: number): Traffic {
  const result: TrafficResult = { sent: 0, ok: 0, failed: 0, failures: {} };
  const inflight = new Set<Promise<void>>();
  const started = Date.now();
  let stopped = false;
  const tick = 1000 / rps;
  const one = async (url: string) => {
    result.sent++;
    try {
      const r = await fetch(url, { headers: { connection: 'close' }, signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      if (r.status < 500) result.ok++;
      else {
        result.failed++;
        result.failures[String(r.status)] = (result.failures[String(r.status)] ?? 0) + 1;
      }
    } catch (e) {
      result.failed++;
      const name = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
      result.failures[name] = (result.failures[name] ?? 0) + 1;
    }
  };
  const loop = (async () => {
    let i = 0;
    while (!stopped && Date.now() - started < maxMs) {
      const p = one(urls[i % urls.length]).finally(() => inflight.delete(p));
      inflight.add(p);
      i++;
      const next = started + i * tick;
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await Promise.all([...inflight]);
      return result;
    },
  };
}

/** Ids of the running containers of a compose project's or swarm stack's service. */
export async function runningContainers(project: string, service: string): Promise<string[]> {
  const byCompose = await docker(
    'ps',
    '-q',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
  );
  const bySwarm = await docker(
    'ps',
    '-q',
    '--filter',
    `label=com.docker.swarm.service.name=${project}_${service}`,
  );
  return `${byCompose}\n${bySwarm}`.split('\n').filter(Boolean);
}

/** Image ids the running containers of a service use (sorted, unique). */
export async function runningImageIds(project: string, service: string): Promise<string[]> {
  const ids = await runningContainers(project, service);
  if (!ids.length) return [];
  const images = (await docker('inspect', '-f', '{{.Image}}', ...ids)).split('\n').filter(Boolean);
  return [...new Set(images)].sort();
}

/**
 * Number of Redis keys matching `pattern`, counted by redis-cli inside the service's container. The password is
 * read there from the service's secret file (/run/secrets/redis_password when present), so it never leaves it.
 */
export async function redisKeyCount(project: string, service: string, pattern: string): Promise<number> {
  const [id] = await runningContainers(project, service);
  if (!id) throw new Error(`no running ${service} container in ${project}`);
  const script =
    'f=/run/secrets/redis_password; if [ -s "$f" ]; then REDISCLI_AUTH="$(cat "$f")"; export REDISCLI_AUTH; fi; ' +
    'redis-cli --no-auth-warning --scan --pattern "$1" | wc -l';
  return Number(await docker('exec', id, 'sh', '-c', script, 'count', pattern));
}

/** Poll `fn` every `everyMs` until it returns a truthy value or `ms` passes; the last value. */
export async function waitFor<T>(fn: () => Promise<T>, ms: number, everyMs = 1000): Promise<T> {
  const end = Date.now() + ms;
  let v = await fn();
  while (!v && Date.now() < end) {
    await new Promise((r) => setTimeout(r, everyMs));
    v = await fn();
  }
  return v;
}
