/**
 * Dockerfiles, by the project's own rules (hadolint has no distribution here): base image pinned (an ARG's
 * default counts, `latest` or no tag does not), a non-root USER in the final stage (or `# user: <why>` when the
 * base image sets one, or a non-root `user:` on every compose service built from it), a HEALTHCHECK (or a
 * compose healthcheck on every service built from it) or a comment
 * justifying its absence (`# healthcheck: <why>`), no secret values in ENV/ARG, apt lists removed in the RUN
 * that installs.
 */
import { readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { stackForEnvironment } from '../../stack/index.js';
import type { ServiceSpec } from '../../stack/types.js';
import {
  expandArgs,
  keyValues,
  parseDockerfile,
  type Dockerfile,
  type Instruction,
} from '../dockerfile-parse.js';
import { looksSecretName, isLiteralSecret } from '../secret-names.js';
import { skipped, type Check, type CheckContext, type CheckOutcome, type Finding } from '../types.js';

export function isDockerfile(path: string): boolean {
  const b = basename(path);
  return b === 'Dockerfile' || b.startsWith('Dockerfile.') || b.endsWith('.Dockerfile');
}

/** Splits an image reference: the tag (undefined when absent) and whether a digest pins it. */
export function imageRef(ref: string): { tag?: string; digest: boolean } {
  if (ref.includes('@')) return { digest: true };
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  const i = last.indexOf(':');
  return { tag: i >= 0 ? last.slice(i + 1) : undefined, digest: false };
}

const ROOT_USERS = new Set(['root', '0']);

/** What compose says about the services built from a Dockerfile: a healthcheck or a non-root `user:` there covers the image. */
export interface ComposeCover {
  healthcheck: boolean;
  user: boolean;
}

export function lintDockerfile(
  text: string,
  file: string,
  cover: ComposeCover = { healthcheck: false, user: false },
): Finding[] {
  const df = parseDockerfile(text);
  const out: Finding[] = [];
  const at = (ins: Instruction, rule: string, message: string): void => {
    out.push({ file, line: ins.line, severity: 'error', rule, message });
  };
  if (df.stages.length === 0) {
    return [
      { file, line: 1, severity: 'error', rule: 'DF000', message: 'no FROM instruction: not a Dockerfile' },
    ];
  }
  checkBases(df, at);
  const final = df.stages[df.stages.length - 1];
  const users = final.instructions.filter((i) => i.keyword === 'USER');
  const lastUser = users[users.length - 1];
  const userJustified = df.comments.some((c) => /^user\s*:\s*\S/i.test(c.text));
  if (!lastUser && !userJustified && !cover.user) {
    at(
      final.from,
      'DF002',
      'the final stage has no USER: the container runs as root unless the base image sets one; add a non-root USER (e.g. USER 10001), or say which user the base image runs as with a comment "# user: <why>"',
    );
  } else if (lastUser && ROOT_USERS.has(lastUser.args.split(':')[0].trim())) {
    at(lastUser, 'DF002', `the final stage runs as ${lastUser.args}: switch to a non-root USER`);
  }
  const hasHealthcheck = final.instructions.some((i) => i.keyword === 'HEALTHCHECK');
  const justified = df.comments.some((c) => /^healthcheck\s*:\s*\S/i.test(c.text));
  if (!hasHealthcheck && !justified && !cover.healthcheck) {
    at(
      final.from,
      'DF003',
      'no HEALTHCHECK in the final stage: add one, or justify its absence with a comment "# healthcheck: <why>"',
    );
  }
  for (const stage of [{ instructions: df.globalArgs }, ...df.stages]) {
    for (const ins of stage.instructions) {
      if (ins.keyword === 'ENV' || ins.keyword === 'ARG') {
        for (const kv of keyValues(ins)) {
          if (looksSecretName(kv.name) && isLiteralSecret(kv.value)) {
            at(
              ins,
              'DF004',
              `${ins.keyword} ${kv.name} holds a secret value that stays in the image's layers and history; pass it at run time (a *_FILE secret) or with a BuildKit --mount=type=secret`,
            );
          }
        }
      }
      if (ins.keyword === 'RUN' && /\bapt(-get)?\s+(\S+\s+)*install\b/.test(ins.args)) {
        const cleaned = /rm\s+-[a-z]*r[a-z]*f?[a-z]*\s+(\S+\s+)*\/var\/lib\/apt\/lists/.test(ins.args);
        const cacheMount = /--mount=type=cache[^\s]*target=\/var\/lib\/apt/.test(ins.args);
        if (!cleaned && !cacheMount) {
          at(
            ins,
            'DF005',
            'apt-get install without `rm -rf /var/lib/apt/lists/*` in the same RUN: the package lists stay in the layer',
          );
        }
      }
    }
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function checkBases(df: Dockerfile, at: (ins: Instruction, rule: string, message: string) => void): void {
  const defaults: Record<string, string | undefined> = {};
  const noDefault = new Set<string>();
  for (const a of df.globalArgs) {
    for (const kv of keyValues(a)) {
      if (kv.value === undefined || kv.value === '') noDefault.add(kv.name);
      else defaults[kv.name] = kv.value;
    }
  }
  const aliases = new Set<string>();
  for (const stage of df.stages) {
    const image = stage.image;
    const used = [...image.matchAll(/\$\{?(\w+)/g)].map((m) => m[1]);
    const resolved = expandArgs(image, defaults);
    if (aliases.has(image.toLowerCase()) || image === 'scratch') {
      // a previous stage or the empty image
    } else if (used.some((n) => noDefault.has(n) || !(n in defaults))) {
      const n = used.find((x) => !(x in defaults));
      at(
        stage.from,
        'DF001',
        `base image comes from ARG ${n} without a default: give the ARG a pinned default (e.g. ARG ${n}=python:3.11-slim-bookworm)`,
      );
    } else {
      const ref = imageRef(resolved);
      if (!ref.digest && (ref.tag === undefined || ref.tag === 'latest')) {
        at(
          stage.from,
          'DF001',
          `base image ${resolved}${used.length ? ` (default of ARG ${used.join(', ')})` : ''} is ${ref.tag ? 'the moving tag latest' : 'untagged (latest)'}: pin a version tag or a digest`,
        );
      }
    }
    if (stage.alias) aliases.add(stage.alias.toLowerCase());
  }
}

/** Dockerfile (relative) → whether every service built from it has a compose healthcheck / a non-root user. */
function composeCovers(ctx: CheckContext): Record<string, ComposeCover> {
  if (!ctx.config) return {};
  let services: ServiceSpec[];
  try {
    services = Object.values(stackForEnvironment(ctx.config, undefined, ctx.env).services);
  } catch {
    return {}; // the compose check reports why the stack does not load
  }
  const out: Record<string, ComposeCover> = {};
  for (const s of services) {
    if (!s.build) continue;
    const f = relative(ctx.root, s.build.dockerfile);
    const user = String(s.raw.user ?? '').split(':')[0];
    const prev = out[f] ?? { healthcheck: true, user: true };
    out[f] = {
      healthcheck: prev.healthcheck && s.hasHealthcheck,
      user: prev.user && user !== '' && !ROOT_USERS.has(user),
    };
  }
  return out;
}

export const dockerfileCheck: Check = {
  name: 'dockerfile',
  title: 'Dockerfiles',
  async run(ctx): Promise<CheckOutcome> {
    const dir = ctx.layout.composeDir.replace(/\/$/, '') + '/';
    const files = (await ctx.files()).filter((f) => isDockerfile(f) && (dir === './' || f.startsWith(dir)));
    if (files.length === 0) return skipped(`no Dockerfile under ${dir}`);
    const covers = composeCovers(ctx);
    const findings = files.flatMap((f) =>
      lintDockerfile(readFileSync(join(ctx.root, f), 'utf8'), f, covers[f]),
    );
    return { findings, checked: files };
  },
};
