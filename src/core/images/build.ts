/**
 * The build engine: run a plan on the local engine. Content keys for every image first (so an unchanged
 * stack costs a few engine API calls and no builder at all), then the images to build in parallel with a
 * bound on concurrency, an image only after the images it builds FROM. Upstream-only services are reported
 * with their local id/digest. Failures are collected; the caller annotates them and fails.
 */
import { FailedError, InputError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { ImageMap } from './types.js';
import type { BuildPlan, BuildUnit } from './plan.js';
import { describeBuilder, detectBuilder, type Builder, type CacheMode } from './builder.js';
import { contentKey, KEY_LABEL, keyRef } from './key.js';
import { digestFor, login } from './docker.js';
import { engineFor, type Engine } from './engine.js';
import { gitContext, gitSource, renderTags, validateTemplates, type TagVars } from './tags.js';
import { schedule } from './schedule.js';
import { runUnit, type BuildFailure, type UnitOutcome } from './unit.js';
import { imagesTable } from './summary.js';
import { HashCache } from './hash-cache.js';
import { createHash } from 'node:crypto';
import { cacheDir } from '../cache-dir.js';
import { join, resolve } from 'node:path';

export type { BuildFailure } from './unit.js';

export interface RegistryLogin {
  host: string;
  username?: string;
  password?: string;
}

export interface BuildOptions {
  logger: Logger;
  /** Directory the git context (sha, branch) is read from. */
  root: string;
  /** Tag templates (metadata-action style). Empty: the content key is the tag. */
  tags: string[];
  concurrency: number;
  cache: CacheMode;
  push: boolean;
  registry?: RegistryLogin;
  /** Environment name for {{env}}. */
  environment?: string;
  /** Ignore the content key and the builder cache (cold build). */
  noCache?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Called with one line per image when it starts and ends (the CLI prints them). */
  onProgress?: (line: string) => void;
  /** An already detected builder (tests, benchmarks). */
  builder?: Builder;
  /** How image queries reach the engine (default: its API on the local socket, else the CLI). */
  engine?: Engine;
  /** Where file hashes are remembered between runs; "" keeps nothing. Default: one file per project root in cacheDir(). */
  hashCacheFile?: string;
}

export interface BuildResult {
  images: ImageMap;
  /** The builder used; undefined when every image was cached and nothing was pushed. */
  builder?: Builder;
  failures: BuildFailure[];
  markdown: string;
  seconds: number;
}

function checkOptions(opts: BuildOptions): void {
  validateTemplates(opts.tags);
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
    throw new InputError(`expected a whole number ≥ 1, got ${opts.concurrency}`, undefined, 'concurrency');
  }
  if (!opts.push) return;
  const r = opts.registry;
  if (!r?.host)
    throw new InputError(
      'push needs a registry host (registry input or registry.host)',
      undefined,
      'registry',
    );
  if (!r.username || !r.password) {
    throw new InputError(
      'push needs registry credentials (registry-username and registry-password)',
      undefined,
      'registry-password',
    );
  }
}

/** Content keys in dependency order: an image built FROM another planned image includes that one's key. */
async function contentKeys(
  engine: Engine,
  units: BuildUnit[],
  hashes: HashCache,
): Promise<Record<string, string>> {
  const names = [...new Set(units.flatMap((u) => u.bases))];
  const ids = await Promise.all(names.map(async (n) => (await engine.inspect(n))?.id));
  const baseIds = Object.fromEntries(names.flatMap((n, i) => (ids[i] ? [[n, ids[i]!]] : [])));
  const keys: Record<string, string> = {};
  const keyOf = (u: BuildUnit): string => {
    if (keys[u.owner]) return keys[u.owner];
    const deps = units.filter((d) => u.dependsOn.includes(d.owner) && d.composeImage);
    keys[u.owner] = contentKey(
      u,
      baseIds,
      Object.fromEntries(deps.map((d) => [d.composeImage!, keyOf(d)])),
      hashes,
    );
    return keys[u.owner];
  };
  units.forEach(keyOf);
  hashes.save();
  return keys;
}

async function skippedImages(engine: Engine, plan: BuildPlan): Promise<ImageMap> {
  const out: ImageMap = {};
  await Promise.all(
    plan.skipped.map(async (s) => {
      const facts = await engine.inspect(s.image);
      const repository = s.image.split('@')[0].replace(/:[^/:]*$/, '');
      const digest = digestFor(facts, repository) || (s.image.includes('@') ? s.image.split('@')[1] : '');
      out[s.service] = {
        service: s.service,
        image: repository,
        tag: s.image.slice(repository.length + 1).split('@')[0],
        tags: [],
        digest,
        imageId: facts?.id ?? '',
        ref: digest ? `${repository}@${digest}` : s.image,
        sizeBytes: facts?.size ?? 0,
        status: 'skipped',
        seconds: 0,
      };
    }),
  );
  return out;
}

function hashCacheFile(opts: BuildOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (opts.hashCacheFile !== undefined) return opts.hashCacheFile || undefined;
  const dir = cacheDir(env);
  const project = createHash('sha256').update(resolve(opts.root)).digest('hex').slice(0, 16);
  return join(dir, `context-hashes-${project}.json`);
}

export async function buildImages(plan: BuildPlan, opts: BuildOptions): Promise<BuildResult> {
  const started = Date.now();
  const env = opts.env ?? process.env;
  const { logger } = opts;
  checkOptions(opts);
  const engine = opts.engine ?? engineFor(env);
  const git = gitContext(opts.root, env, false);
  await engine.ping();
  const keys = await contentKeys(engine, plan.units, new HashCache(hashCacheFile(opts, env)));
  const cached: Record<string, string | undefined> = {};
  if (!opts.noCache) {
    await Promise.all(
      plan.units.map(async (u) => {
        const facts = await engine.inspect(keyRef(u.repository, keys[u.owner]));
        cached[u.owner] = facts?.labels[KEY_LABEL] === keys[u.owner] ? facts.id : undefined;
      }),
    );
  }
  const toBuild = plan.units.filter((u) => !cached[u.owner]);
  // The source label goes on real builds only (an unchanged stack never asks git for it); asked while the
  // builder is detected.
  const source = toBuild.length ? gitSource(opts.root, env) : undefined;
  let builder: Builder | undefined;
  if (toBuild.length || opts.push || opts.cache !== 'auto') {
    // Only now: an unchanged stack never starts a docker client.
    builder = opts.builder ?? (await detectBuilder(opts.cache, env));
    logger.info(describeBuilder(builder));
  } else {
    logger.info(`builder: not needed, every image is cached (${engine.via})`);
  }
  if (opts.push)
    await login(builder!, opts.registry!.host, opts.registry!.username!, opts.registry!.password!, logger);
  const vars: TagVars = { ...(await git), env: opts.environment ?? '', now: new Date() };
  if (source) vars.source = await source;
  const ctx = {
    engine,
    builder,
    logger,
    vars,
    tags: renderTags(opts.tags, vars),
    push: opts.push,
    noCache: !!opts.noCache,
    qualified: !!opts.registry?.host,
    onProgress: opts.onProgress,
  };
  const outcomes = new Map<string, UnitOutcome>();
  const blocked = await schedule(
    plan.units,
    opts.concurrency,
    async (u) => {
      const outcome = await runUnit(u, keys[u.owner], cached[u.owner], ctx).catch(
        (e: unknown): UnitOutcome => ({
          failure: {
            service: u.owner,
            services: u.services,
            message: `${u.owner}: ${messageOf(e)}`,
            dockerfile: u.build.dockerfile,
            logTail: [],
          },
        }),
      );
      outcomes.set(u.owner, outcome);
    },
    (u) => !!outcomes.get(u.owner)?.failure,
  );
  const images = await skippedImages(engine, plan);
  const failures: BuildFailure[] = [];
  for (const u of plan.units) {
    const o = outcomes.get(u.owner);
    if (o?.failure) failures.push(o.failure);
    if (o?.image) for (const s of u.services) images[s] = { ...o.image, service: s };
  }
  for (const u of blocked) {
    failures.push({
      service: u.owner,
      services: u.services,
      message: `${u.owner} not built: an image it builds FROM failed (${u.dependsOn.join(', ')})`,
      dockerfile: u.build.dockerfile,
      logTail: [],
    });
  }
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  return {
    images,
    builder,
    failures,
    seconds,
    markdown: imagesTable(images, failures, builder?.kind ?? 'none needed'),
  };
}

/** Turn failures into one error (after the caller wrote annotations and the partial image map). */
export function failureError(result: BuildResult): FailedError {
  const f = result.failures;
  return new FailedError(
    f.length === 1 ? f[0].message : `${f.length} images failed: ${f.map((x) => x.service).join(', ')}`,
    result,
  );
}
