/**
 * Which builder this host offers, best first: `docker buildx` (registry or GitHub cache when it can export
 * one) → the BuildKit client built into Docker clients before 23 (DOCKER_BUILDKIT=1, the engine's local
 * cache) → the legacy builder. Clients tried: ERP_DEPLOY_DOCKER, `docker` on PATH, /usr/bin/docker.
 */
import { existsSync } from 'node:fs';
import { InputError, FailedError } from '../errors.js';
import { run } from '../exec.js';
import type { Logger } from '../log.js';

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

interface Probe {
  client: string;
  version: string;
  buildx?: string;
  driver?: string;
}

async function probe(client: string, env: NodeJS.ProcessEnv): Promise<Probe | undefined> {
  const [version, buildx] = await Promise.all([
    answers(client, ['version', '--format', '{{.Client.Version}}|{{.Server.Version}}'], env),
    answers(client, ['buildx', 'version'], env),
  ]);
  if (!version || version.endsWith('|')) return undefined;
  let driver: string | undefined;
  if (buildx) {
    const inspect = await answers(client, ['buildx', 'inspect'], env);
    driver = /^Driver:\s*(\S+)/m.exec(inspect ?? '')?.[1];
  }
  return { client, version: version.split('|')[0], buildx, driver };
}

const major = (v: string): number => Number(/^(\d+)/.exec(v)?.[1] ?? 0);

export async function detectBuilder(
  want: CacheMode,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Builder> {
  const probes = (await Promise.all(candidateClients(env).map((c) => probe(c, env)))).filter(
    (p): p is Probe => !!p,
  );
  if (!probes.length) {
    throw new FailedError(
      `no Docker engine answers (tried ${candidateClients(env).join(', ')}); start one (scripts/engine.sh)`,
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
  let builder: Builder | undefined;
  if ((want === 'auto' || want === 'buildx') && withBuildx) builder = pick('buildx', withBuildx);
  else if ((want === 'auto' || want === 'buildkit') && withBuildkit) builder = pick('buildkit', withBuildkit);
  else if (want === 'auto' || want === 'legacy') builder = pick('legacy', withBuildkit ?? probes[0]);
  if (!builder) {
    throw new InputError(
      `builder "${want}" is not available on this host (clients: ${probes.map((p) => `${p.client} ${p.version}${p.buildx ? ' +buildx' : ''}`).join(', ')}); use cache: auto`,
      undefined,
      'cache',
    );
  }
  logger.info(
    `builder: ${builder.kind} (${builder.client} ${builder.clientVersion}${builder.driver ? `, driver ${builder.driver}` : ''})`,
  );
  return builder;
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
