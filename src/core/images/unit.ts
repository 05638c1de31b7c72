/**
 * One image of the plan: re-tag the image that carries its content key (`cached`), or build it for real
 * (`built`: OCI labels incl. `created`, id from --iidfile, digest from --metadata-file with buildx), then push
 * when asked. A failed build returns the service, the failing Dockerfile line and the last log lines.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../exec.js';
import type { Logger } from '../log.js';
import type { BuiltImage } from './types.js';
import type { BuildUnit } from './plan.js';
import { buildArgs, type Builder } from './builder.js';
import { digestFor, pushImage } from './docker.js';
import { failingStep } from './dockerfile.js';
import type { Engine } from './engine.js';
import { KEY_LABEL, keyRef } from './key.js';
import type { TagVars } from './tags.js';

const LOG_TAIL = 20;

export interface BuildFailure {
  service: string;
  services: string[];
  message: string;
  dockerfile: string;
  line?: number;
  step?: string;
  logTail: string[];
}

export interface UnitOutcome {
  image?: BuiltImage;
  failure?: BuildFailure;
}

export interface UnitContext {
  engine: Engine;
  /** Present when something must be built or pushed. */
  builder?: Builder;
  logger: Logger;
  vars: TagVars;
  /** Rendered tags (empty: the content key becomes the tag). */
  tags: string[];
  push: boolean;
  noCache: boolean;
  /** Registry host set: the compose image name is not re-tagged. */
  qualified: boolean;
  onProgress?: (line: string) => void;
}

function labelsFor(vars: TagVars, key: string): Record<string, string> {
  const l: Record<string, string> = { [KEY_LABEL]: key, 'org.opencontainers.image.revision': vars.sha };
  if (vars.source) l['org.opencontainers.image.source'] = vars.source;
  // Only real builds get here: a label that changes every build would change the image id.
  l['org.opencontainers.image.created'] = vars.now.toISOString();
  return l;
}

export function refsOf(u: BuildUnit, key: string, ctx: Pick<UnitContext, 'tags' | 'qualified'>): string[] {
  const tags = ctx.tags.length ? ctx.tags : [`ck-${key.slice(0, 12)}`];
  const refs = tags.map((t) => `${u.repository}:${t}`);
  if (u.composeImage && !refs.includes(u.composeImage) && !ctx.qualified) refs.push(u.composeImage);
  return refs;
}

function failureOf(u: BuildUnit, log: string, code: number): BuildFailure {
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

async function realBuild(
  u: BuildUnit,
  key: string,
  refs: string[],
  ctx: UnitContext,
): Promise<{ id: string; digest: string } | { failure: BuildFailure }> {
  const b = ctx.builder!;
  const dir = mkdtempSync(join(tmpdir(), 'erp-build-'));
  try {
    const inv = {
      dockerfile: u.build.dockerfile,
      context: u.build.context,
      tags: refs,
      labels: labelsFor(ctx.vars, key),
      args: u.build.args,
      target: u.build.target,
      iidFile: join(dir, 'iid'),
      metadataFile: join(dir, 'metadata.json'),
      push: ctx.push,
      noCache: ctx.noCache,
      repository: u.repository,
    };
    const r = await run(b.client, buildArgs(b, inv), {
      env: b.env,
      ignoreReturnCode: true,
      timeoutMs: 60 * 60_000,
      logger: ctx.logger,
    });
    if (r.code !== 0 || !existsSync(inv.iidFile))
      return { failure: failureOf(u, `${r.stdout}\n${r.stderr}`, r.code) };
    const id = readFileSync(inv.iidFile, 'utf8').trim();
    let digest = '';
    if (ctx.push && existsSync(inv.metadataFile)) {
      const meta = JSON.parse(readFileSync(inv.metadataFile, 'utf8')) as Record<string, string>;
      digest = meta['containerimage.digest'] ?? '';
    }
    return { id, digest };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runUnit(
  u: BuildUnit,
  key: string,
  cachedId: string | undefined,
  ctx: UnitContext,
): Promise<UnitOutcome> {
  const started = Date.now();
  const refs = refsOf(u, key, ctx);
  let status: BuiltImage['status'] = 'cached';
  let id = cachedId;
  let pushedDigest = '';
  if (cachedId) {
    await Promise.all(refs.map((r) => ctx.engine.tag(cachedId, r)));
  } else {
    ctx.onProgress?.(`[${u.owner}] building with ${ctx.builder!.kind}`);
    const built = await realBuild(u, key, refs, ctx);
    if ('failure' in built) return { failure: built.failure };
    id = built.id;
    pushedDigest = built.digest;
    status = 'built';
    // Never pushed, never reported: how the next run finds this image by its content key.
    if (!(ctx.push && ctx.builder!.kind === 'buildx')) await ctx.engine.tag(id, keyRef(u.repository, key));
  }
  // buildx pushes while building; otherwise push every tag now.
  if (ctx.push && !(ctx.builder!.kind === 'buildx' && status === 'built')) {
    for (const ref of refs) await pushImage(ctx.builder!, ref, ctx.logger);
  }
  const facts = await ctx.engine.inspect(id!);
  const digest = pushedDigest || (ctx.push ? digestFor(facts, u.repository) : '');
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  ctx.onProgress?.(`[${u.owner}] ${status} in ${seconds}s → ${refs[0]}`);
  return {
    image: {
      service: u.owner,
      image: u.repository,
      tag: refs[0].slice(u.repository.length + 1),
      tags: refs.map((r) => r.slice(r.lastIndexOf(':') + 1)),
      digest,
      imageId: facts?.id ?? id!,
      ref: digest ? `${u.repository}@${digest}` : refs[0],
      sizeBytes: facts?.size ?? 0,
      status,
      seconds,
      contentKey: key,
    },
  };
}
