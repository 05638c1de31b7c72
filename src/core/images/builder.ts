/**
 * Which builder this host offers, best first: `docker buildx` (registry or GitHub cache when it can export
 * one) → the BuildKit client built into Docker clients before 23 (DOCKER_BUILDKIT=1, the engine's local
 * cache) → the legacy builder. Clients tried: ERP_DEPLOY_DOCKER, `docker` on PATH, /usr/bin/docker.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError, FailedError } from '../errors.js';
import { run } from '../exec.js';

export type BuilderKind = 'buildx' | 'buildkit' | 'legacy';
export type CacheMode = 'auto' | BuilderKind;

export interface Builder {
  kind: BuilderKind;
  /** The docker client used for builds and for inspect/tag/push. */
  client: string;
  clientVersion: string;
  /** buildx driver (docker, docker-container, …); only for buildx. */
  driver?: string;
  /** Environment for build commands (DOCKER_BUILDKIT set for buildkit/legacy). */
  env: NodeJS.ProcessEnv;
}

export function candidateClients(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = [
    env.ERP_DEPLOY_DOCKER,
    'docker',
    existsSync('/usr/bin/docker') ? '/usr/bin/docker' : undefined,
  ];
  return [...new Set(list.filter((c): c is string => !!c))];
}

async function answers(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const r = await run(cmd, args, { env, ignoreReturnCode: true, timeoutMs: 20_000 }).catch(() => undefined);
  return r && r.code === 0 ? r.stdout.trim() : undefined;
}

/** Where docker clients look for the buildx plugin. */
export function pluginDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const config = env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker');
  return [
    join(config, 'cli-plugins'),
    '/usr/local/lib/docker/cli-plugins',
    '/usr/local/libexec/docker/cli-plugins',
    '/usr/lib/docker/cli-plugins',
    '/usr/libexec/docker/cli-plugins',
  ];
}

interface Probe {
  client: string;
  version: string;
  buildx?: string;
  driver?: string;
}

const major = (v: string): number => Number(/^(\d+)/.exec(v)?.[1] ?? 0);

/**
 * A client's version (`docker --version`: no engine round trip) and its buildx plugin. `buildx version` is
 * only asked when a plugin file exists or the client is 23+ (whose BuildKit builds need buildx anyway).
 */
async function probe(client: string, env: NodeJS.ProcessEnv, plugin: boolean): Promise<Probe | undefined> {
  const text = await answers(client, ['--version'], env);
  const version = /version\s+([0-9][^,\s]*)/i.exec(text ?? '')?.[1];
  if (!version) return undefined;
  const buildx =
    plugin || major(version) >= 23 ? await answers(client, ['buildx', 'version'], env) : undefined;
  let driver: string | undefined;
  if (buildx) {
    const inspect = await answers(client, ['buildx', 'inspect'], env);
    driver = /^Driver:\s*(\S+)/m.exec(inspect ?? '')?.[1];
  }
  return { client, version, buildx, driver };
}

export async function detectBuilder(want: CacheMode, env: NodeJS.ProcessEnv = process.env): Promise<Builder> {
  const plugin = pluginDirs(env).some((d) => existsSync(join(d, 'docker-buildx')));
  const clients = candidateClients(env);
  const probes = (await Promise.all(clients.map((c) => probe(c, env, plugin)))).filter(
    (p): p is Probe => !!p,
  );
  if (!probes.length) {
    throw new FailedError(
      `no docker client runs (tried ${clients.join(', ')}); install one (scripts/engine.sh)`,
    );
  }
  const withBuildx = probes.find((p) => p.buildx);
  const withBuildkit = probes.find((p) => major(p.version) < 23);
  const pick = (kind: BuilderKind, p: Probe): Builder => ({
    kind,
    client: p.client,
    clientVersion: p.version,
    driver: kind === 'buildx' ? p.driver : undefined,
    env: kind === 'buildx' ? env : { ...env, DOCKER_BUILDKIT: kind === 'buildkit' ? '1' : '0' },
  });
  if ((want === 'auto' || want === 'buildx') && withBuildx) return pick('buildx', withBuildx);
  if ((want === 'auto' || want === 'buildkit') && withBuildkit) return pick('buildkit', withBuildkit);
  if (want === 'auto' || want === 'legacy') return pick('legacy', withBuildkit ?? probes[0]);
  throw new InputError(
    `builder "${want}" is not available on this host (clients: ${probes
      .map((p) => `${p.client} ${p.version}${p.buildx ? ' +buildx' : ''}`)
      .join(', ')}); use cache: auto`,
    undefined,
    'cache',
  );
}

/** The log line saying which builder is used. */
export function describeBuilder(b: Builder): string {
  return `builder: ${b.kind} (${b.client} ${b.clientVersion}${b.driver ? `, driver ${b.driver}` : ''})`;
}

export interface BuildInvocation {
  dockerfile: string;
  context: string;
  tags: string[];
  labels: Record<string, string>;
  args: Record<string, string>;
  target?: string;
  iidFile: string;
  metadataFile: string;
  push: boolean;
  noCache: boolean;
  /** Repository used for a registry cache and the GitHub cache scope. */
  repository: string;
}

/** The cache flags buildx can use here: GitHub's cache on Actions, a registry cache when pushing. */
export function cacheFlags(b: Builder, inv: BuildInvocation, env: NodeJS.ProcessEnv): string[] {
  if (b.kind !== 'buildx' || b.driver === 'docker' || inv.noCache) return [];
  const scope = inv.repository.replace(/[^A-Za-z0-9_.-]/g, '-');
  if (env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL) {
    return ['--cache-from', `type=gha,scope=${scope}`, '--cache-to', `type=gha,mode=max,scope=${scope}`];
  }
  if (inv.push) {
    const ref = `${inv.repository}:buildcache`;
    return ['--cache-from', `type=registry,ref=${ref}`, '--cache-to', `type=registry,ref=${ref},mode=max`];
  }
  return [];
}

export function buildArgs(b: Builder, inv: BuildInvocation): string[] {
  const args = b.kind === 'buildx' ? ['buildx', 'build', '--progress=plain'] : ['build'];
  if (b.kind === 'buildkit') args.push('--progress=plain');
  if (b.kind === 'buildx') {
    args.push('--metadata-file', inv.metadataFile, inv.push ? '--push' : '--load');
    args.push(...cacheFlags(b, inv, b.env));
  }
  args.push('-f', inv.dockerfile, '--iidfile', inv.iidFile);
  if (inv.noCache) args.push('--no-cache');
  if (inv.target) args.push('--target', inv.target);
  for (const t of inv.tags) args.push('-t', t);
  for (const [k, v] of Object.entries(inv.labels)) args.push('--label', `${k}=${v}`);
  for (const [k, v] of Object.entries(inv.args)) args.push('--build-arg', `${k}=${v}`);
  args.push(inv.context);
  return args;
}
