/**
 * The build engine: run a plan on the local engine with a bound on concurrency, honouring dependencies
 * between images. Per unit: content key → an image carrying that key is `cached` (only re-tagged) → else a
 * real build (with OCI labels incl. `created`) whose id comes from --iidfile (and --metadata-file with
 * buildx) → optional push, digest from the engine's RepoDigests. Failures carry the service, the failing
 * Dockerfile line and the last log lines.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FailedError, InputError, messageOf } from '../errors.js';
import { run } from '../exec.js';
import type { Logger } from '../log.js';
import type { BuiltImage, ImageMap } from './types.js';
import type { BuildPlan, BuildUnit } from './plan.js';
import { buildArgs, detectBuilder, type Builder, type CacheMode } from './builder.js';
import { contentKey, KEY_LABEL } from './key.js';
import { digestFor, imageByLabel, inspectImage, login, pushImage, tagImage } from './docker.js';
import { failingStep } from './dockerfile.js';
import { gitContext, renderTags, validateTemplates, type TagVars } from './tags.js';
import { imagesTable } from './summary.js';

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
  /** Called with one line per unit when it starts and ends (the CLI prints them). */
  onProgress?: (line: string) => void;
  /** An already detected builder (tests, benchmarks). */
  builder?: Builder;
}

export interface BuildFailure {
  service: string;
  services: string[];
  message: string;
  dockerfile: string;
  line?: number;
  step?: string;
  logTail: string[];
}

export interface BuildResult {
  images: ImageMap;
  builder: Builder;
  failures: BuildFailure[];
  markdown: string;
  seconds: number;
}

const LOG_TAIL = 20;

interface UnitOutcome {
  image?: BuiltImage;
  key?: string;
  failure?: BuildFailure;
}

function labelsFor(vars: TagVars, key: string, created: boolean): Record<string, string> {
  const l: Record<string, string> = { [KEY_LABEL]: key, 'org.opencontainers.image.revision': vars.sha };
  if (vars.source) l['org.opencontainers.image.source'] = vars.source;
  if (created) l['org.opencontainers.image.created'] = vars.now.toISOString();
  return l;
}

async function baseIds(b: Builder, units: BuildUnit[]): Promise<Record<string, string>> {
  const names = [...new Set(units.flatMap((u) => u.bases))];
  const ids = await Promise.all(names.map(async (n) => (await inspectImage(b, n))?.id));
  return Object.fromEntries(names.flatMap((n, i) => (ids[i] ? [[n, ids[i]!]] : [])));
}

class UnitBuilder {
  constructor(
    private readonly b: Builder,
    private readonly opts: BuildOptions,
    private readonly vars: TagVars,
    private readonly tags: string[],
    private readonly bases: Record<string, string>,
  ) {}

  private refsOf(u: BuildUnit, key: string): string[] {
    const tags = this.tags.length ? this.tags : [`ck-${key.slice(0, 12)}`];
    const refs = tags.map((t) => `${u.repository}:${t}`);
    if (u.composeImage && !refs.includes(u.composeImage) && !this.opts.registry?.host)
      refs.push(u.composeImage);
    return refs;
  }

  async run(u: BuildUnit, depKeys: Record<string, string>): Promise<UnitOutcome> {
    const started = Date.now();
    const { logger } = this.opts;
    const key = contentKey(u, this.bases, depKeys);
    const refs = this.refsOf(u, key);
    const cachedId = this.opts.noCache ? undefined : await imageByLabel(this.b, KEY_LABEL, key);
    let status: BuiltImage['status'] = 'cached';
    let id = cachedId;
    let metadataDigest = '';
    if (cachedId) {
      await tagImage(this.b, cachedId, refs);
    } else {
      this.opts.onProgress?.(`[${u.owner}] building with ${this.b.kind}`);
      const built = await this.build(u, key, refs);
      if ('failure' in built) return { failure: built.failure, key };
      id = built.id;
      metadataDigest = built.digest;
      status = 'built';
    }
    const pushing = this.opts.push && !(this.b.kind === 'buildx' && status === 'built');
    if (pushing) for (const ref of refs) await pushImage(this.b, ref, logger);
    const facts = await inspectImage(this.b, id!);
    const digest = metadataDigest || digestFor(facts, u.repository);
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    const tag = refs[0].slice(u.repository.length + 1);
    this.opts.onProgress?.(`[${u.owner}] ${status} in ${seconds}s → ${refs[0]}`);
    return {
      key,
      image: {
        service: u.owner,
        image: u.repository,
        tag,
        tags: refs.map((r) => r.slice(r.lastIndexOf(':') + 1)),
        digest,
        imageId: facts?.id ?? id!,
        ref: digest && this.opts.push ? `${u.repository}@${digest}` : refs[0],
        sizeBytes: facts?.size ?? 0,
        status,
        seconds,
        contentKey: key,
      },
    };
  }

  private async build(
    u: BuildUnit,
    key: string,
    refs: string[],
  ): Promise<{ id: string; digest: string } | { failure: BuildFailure }> {
    const dir = mkdtempSync(join(tmpdir(), 'erp-build-'));
    try {
      const inv = {
        dockerfile: u.build.dockerfile,
        context: u.build.context,
        tags: refs,
        labels: labelsFor(this.vars, key, true),
        args: u.build.args,
        target: u.build.target,
        iidFile: join(dir, 'iid'),
        metadataFile: join(dir, 'metadata.json'),
        push: this.opts.push,
        noCache: !!this.opts.noCache,
        repository: u.repository,
      };
      const r = await run(this.b.client, buildArgs(this.b, inv), {
        env: this.b.env,
        ignoreReturnCode: true,
        timeoutMs: 60 * 60_000,
        logger: this.opts.logger,
      });
      const log = `${r.stdout}\n${r.stderr}`;
      if (r.code !== 0 || !existsSync(inv.iidFile)) return { failure: this.failure(u, log, r.code) };
      const id = readFileSync(inv.iidFile, 'utf8').trim();
      let digest = '';
      if (existsSync(inv.metadataFile)) {
        const meta = JSON.parse(readFileSync(inv.metadataFile, 'utf8')) as Record<string, string>;
        if (this.opts.push) digest = meta['containerimage.digest'] ?? '';
      }
      return { id, digest };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private failure(u: BuildUnit, log: string, code: number): BuildFailure {
    const step = failingStep(log, u.instructions);
    const lines = log
      .split('\n')
      .map((l) => l.trimEnd())
      .filter(Boolean);
    const where = step?.line ? `${u.build.dockerfile}:${step.line}` : u.build.dockerfile;
    return {
      service: u.owner,
      services: u.services,
      message: `building ${u.owner} failed (exit ${code}) at ${where}${step?.step ? `: ${step.step}` : ''}`,
      dockerfile: u.build.dockerfile,
      line: step?.line,
      step: step?.step,
      logTail: lines.slice(-LOG_TAIL),
    };
  }
}

/** Run units with at most `limit` at once; a unit starts when every unit it builds FROM is done. */
async function schedule(
  units: BuildUnit[],
  limit: number,
  work: (u: BuildUnit) => Promise<void>,
  failed: (u: BuildUnit) => boolean,
): Promise<BuildUnit[]> {
  const pending = new Set(units);
  const done = new Set<string>();
  const blocked: BuildUnit[] = [];
  const running = new Map<string, Promise<void>>();
  while (pending.size || running.size) {
    for (const u of [...pending]) {
      if (running.size >= limit) break;
      const deps = u.dependsOn.filter((d) => units.some((x) => x.owner === d));
      if (
        deps.some((d) => blocked.some((b) => b.owner === d) || units.some((x) => x.owner === d && failed(x)))
      ) {
        pending.delete(u);
        blocked.push(u);
        continue;
      }
      if (!deps.every((d) => done.has(d))) continue;
      pending.delete(u);
      running.set(
        u.owner,
        work(u).finally(() => (running.delete(u.owner), done.add(u.owner))),
      );
    }
    if (!running.size) {
      if (pending.size)
        throw new InputError(
          `images build FROM each other in a cycle: ${[...pending].map((u) => u.owner).join(', ')}`,
        );
      break;
    }
    await Promise.race(running.values());
  }
  return blocked;
}

async function skippedImages(b: Builder, plan: BuildPlan): Promise<ImageMap> {
  const out: ImageMap = {};
  for (const s of plan.skipped) {
    const facts = await inspectImage(b, s.image);
    const [repository] = [s.image.split('@')[0].replace(/:[^/:]*$/, '')];
    const digest = digestFor(facts, repository) || (s.image.includes('@') ? s.image.split('@')[1] : '');
    out[s.service] = {
      service: s.service,
      image: repository,
      tag: s.image.slice(repository.length + 1).replace(/^:/, ''),
      tags: [],
      digest,
      imageId: facts?.id ?? '',
      ref: digest ? `${repository}@${digest}` : s.image,
      sizeBytes: facts?.size ?? 0,
      status: 'skipped',
      seconds: 0,
    };
  }
  return out;
}

export async function buildImages(plan: BuildPlan, opts: BuildOptions): Promise<BuildResult> {
  const started = Date.now();
  const env = opts.env ?? process.env;
  const { logger } = opts;
  validateTemplates(opts.tags);
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
    throw new InputError(`expected a whole number ≥ 1, got ${opts.concurrency}`, undefined, 'concurrency');
  }
  if (opts.push) {
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
  const builder = opts.builder ?? (await detectBuilder(opts.cache, logger, env));
  if (opts.push)
    await login(builder, opts.registry!.host, opts.registry!.username!, opts.registry!.password!, logger);
  const vars: TagVars = {
    ...(await gitContext(opts.root, env)),
    env: opts.environment ?? '',
    now: new Date(),
  };
  const tags = renderTags(opts.tags, vars);
  const bases = await baseIds(builder, plan.units);
  const unitBuilder = new UnitBuilder(builder, opts, vars, tags, bases);
  const outcomes = new Map<string, UnitOutcome>();
  const keysByImage: Record<string, string> = {};
  const blocked = await schedule(
    plan.units,
    opts.concurrency,
    async (u) => {
      const depKeys = Object.fromEntries(
        plan.units
          .filter((d) => u.dependsOn.includes(d.owner) && d.composeImage)
          .map((d) => [d.composeImage!, keysByImage[d.owner]]),
      );
      const outcome = await unitBuilder.run(u, depKeys).catch((e: unknown): UnitOutcome => ({
        failure: {
          service: u.owner,
          services: u.services,
          message: `${u.owner}: ${messageOf(e)}`,
          dockerfile: u.build.dockerfile,
          logTail: [],
        },
      }));
      if (outcome.key) keysByImage[u.owner] = outcome.key;
      outcomes.set(u.owner, outcome);
    },
    (u) => !!outcomes.get(u.owner)?.failure,
  );
  const images: ImageMap = await skippedImages(builder, plan);
  const failures: BuildFailure[] = [];
  for (const u of plan.units) {
    const o = outcomes.get(u.owner);
    if (o?.failure) failures.push(o.failure);
    if (!o?.image) continue;
    for (const s of u.services) images[s] = { ...o.image, service: s };
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
  return { images, builder, failures, seconds, markdown: imagesTable(images, failures, builder.kind) };
}

/** Turn failures into one error (after the caller wrote annotations and the partial image map). */
export function failureError(result: BuildResult): FailedError {
  const f = result.failures;
  return new FailedError(
    f.length === 1 ? f[0].message : `${f.length} images failed: ${f.map((x) => x.service).join(', ')}`,
    result,
  );
}
