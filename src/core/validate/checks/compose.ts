/**
 * Compose files and each environment's overlays: they parse, merge and validate through the compose model
 * (src/core/stack); every long-running service has a healthcheck (in compose or its Dockerfile); production
 * uses no `latest` or untagged image; no secret value is written inline in `environment:`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError, messageOf } from '../../errors.js';
import { stackForEnvironment } from '../../stack/index.js';
import type { ServiceSpec, StackModel } from '../../stack/types.js';
import { imageRef } from './dockerfile.js';
import { isLiteralSecret, looksSecretName } from '../secret-names.js';
import { locateFile } from '../yaml-lines.js';
import { skipped, type Check, type CheckContext, type CheckOutcome, type Finding } from '../types.js';

/** A service that runs once and exits (a migration, a seed) needs no healthcheck. */
export function isOneOff(raw: Record<string, unknown>): boolean {
  const restart = String(raw.restart ?? '').replace(/:.*/, '');
  const labels = raw.labels;
  const label = Array.isArray(labels)
    ? labels.some((l) => String(l).replace(/\s/g, '') === 'erp-deploy.one-off=true')
    : labels && typeof labels === 'object'
      ? String((labels as Record<string, unknown>)['erp-deploy.one-off']) === 'true'
      : false;
  return restart === 'no' || restart === 'on-failure' || label;
}

export function isProductionName(env: string): boolean {
  return /^prod/i.test(env);
}

function dockerfileHasHealthcheck(s: ServiceSpec): boolean {
  if (!s.build || !existsSync(s.build.dockerfile)) return false;
  return /^\s*HEALTHCHECK\s+(?!NONE\b)/im.test(readFileSync(s.build.dockerfile, 'utf8'));
}

/** Inline secret values in every compose file's `environment:` (before interpolation: ${VAR} is fine). */
export function inlineSecrets(root: string, file: string): Finding[] {
  const doc = locateFile(join(root, file));
  const services =
    (doc.data as { services?: Record<string, Record<string, unknown>> } | undefined)?.services ?? {};
  const out: Finding[] = [];
  for (const [name, svc] of Object.entries(services)) {
    const env = svc?.environment;
    const entries: [string, unknown, (string | number)[]][] = Array.isArray(env)
      ? env.map((e, i) => {
          const [k, ...v] = String(e).split('=');
          return [k, v.length ? v.join('=') : undefined, ['services', name, 'environment', i]];
        })
      : env && typeof env === 'object'
        ? Object.entries(env).map(([k, v]) => [k, v, ['services', name, 'environment', k]])
        : [];
    for (const [key, value, path] of entries) {
      if (looksSecretName(key) && isLiteralSecret(value as string | undefined)) {
        out.push({
          file,
          line: doc.lineOf(path),
          severity: 'error',
          rule: 'CMP003',
          message: `service ${name}: ${key} has its value written in the file; use a compose secret and ${key}_FILE (or \${${key}} from the environment)`,
        });
      }
    }
  }
  return out;
}

/** Where a service's key is set (the last merged file that sets it), or where the service is declared (key ''). */
function whereIs(
  ctx: CheckContext,
  model: StackModel,
  service: string,
  key: string,
): { file: string; line?: number } {
  // A key: the last file that sets it wins the merge. The service itself: the first file that declares it.
  for (const abs of key ? [...model.files].reverse() : model.files) {
    const doc = locateFile(abs);
    const svc = (doc.data as { services?: Record<string, Record<string, unknown>> } | undefined)?.services?.[
      service
    ];
    if (svc && key in svc)
      return { file: relative(ctx.root, abs), line: doc.lineOf(['services', service, key]) };
    if (svc && !key) return { file: relative(ctx.root, abs), line: doc.lineOf(['services', service]) };
  }
  const s = model.services[service];
  return { file: relative(ctx.root, s.file), line: s.line };
}

function serviceChecks(ctx: CheckContext, env: string, model: StackModel): Finding[] {
  const out: Finding[] = [];
  for (const s of Object.values(model.services)) {
    if (!s.hasHealthcheck && !isOneOff(s.raw) && !dockerfileHasHealthcheck(s)) {
      const at = whereIs(ctx, model, s.name, '');
      out.push({
        ...at,
        severity: 'error',
        rule: 'CMP001',
        message: `service ${s.name} has no healthcheck: add one (or mark a one-off job with restart: "no")`,
      });
    }
    if (isProductionName(env) && s.image !== undefined) {
      const ref = imageRef(s.image);
      if (!ref.digest && (ref.tag === undefined || ref.tag === 'latest' || ref.tag === '')) {
        out.push({
          ...whereIs(ctx, model, s.name, 'image'),
          severity: 'error',
          rule: 'CMP002',
          message: `service ${s.name} uses ${s.image} in ${env}: ${ref.tag ? '`latest` moves' : 'an untagged image means latest'}; pin a version tag or a digest`,
        });
      }
    }
  }
  return out;
}

function fromInputError(ctx: CheckContext, e: unknown, fallback: string): Finding {
  if (e instanceof InputError) {
    const file = e.file ? relative(ctx.root, e.file) : fallback;
    const prefix = [e.file, e.field].filter(Boolean).join(': ');
    const message = prefix && e.message.startsWith(prefix) ? e.message.slice(prefix.length + 2) : e.message;
    return {
      file,
      line: e.line,
      severity: 'error',
      rule: 'CMP000',
      message: `${e.field ? `${e.field}: ` : ''}${message}`,
    };
  }
  return { file: fallback, severity: 'error', rule: 'CMP000', message: messageOf(e) };
}

export const composeCheck: Check = {
  name: 'compose',
  title: 'Compose files and overlays',
  async run(ctx): Promise<CheckOutcome> {
    if (!ctx.config)
      return skipped(
        'no valid erp-deploy.yml: the compose files and overlays come from it (erp-deploy init)',
      );
    const files = ctx.layout.composeFiles.filter((f) => existsSync(join(ctx.root, f)));
    const missing = ctx.layout.composeFiles.filter((f) => !files.includes(f));
    const findings: Finding[] = missing.map((f) => ({
      file: f,
      severity: 'error' as const,
      rule: 'CMP000',
      message: 'compose file named in erp-deploy.yml does not exist',
    }));
    if (files.length === 0) return { findings, checked: [] };
    for (const env of ['', ...Object.keys(ctx.config.environments)]) {
      try {
        const model = stackForEnvironment(ctx.config, env || undefined, ctx.env);
        findings.push(...serviceChecks(ctx, env, model));
      } catch (e) {
        findings.push(fromInputError(ctx, e, files[0]));
      }
    }
    for (const f of files) {
      try {
        findings.push(...inlineSecrets(ctx.root, f));
      } catch (e) {
        findings.push(fromInputError(ctx, e, f));
      }
    }
    return { findings, checked: files };
  },
};
