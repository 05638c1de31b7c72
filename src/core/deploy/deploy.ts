/**
 * The deploy core's commands: plan, deploy, rollback, releases, lock. The action and the CLI call these.
 * Changing commands hold the environment's lock on the target for their whole run.
 */
import type { ImageMap } from '../images/types.js';
import { InputError } from '../errors.js';
import { lockStatus, acquireLock, releaseLock, type LockHolder } from './lock.js';
import { planMarkdown, type DeployPlan } from './plan.js';
import { listReleases, readReleaseCompose, resolveRollback, type Release } from './releases.js';
import { checkImageMap, renderRelease } from './render.js';
import { environmentOf } from '../config/load.js';
import { stackForEnvironment } from '../stack/index.js';
import { rollout, planDocument, type DeployResult } from './rollout.js';
import { readSecretValues, secretFiles, writeSecrets } from './secrets.js';
import { uploadFiles } from './ship-files.js';
import { withSession, type DeployContext, type LockOptions } from './session.js';
import { readAudit, type AuditEntry } from './state.js';

export interface DeployOptions extends LockOptions {
  images: ImageMap;
  /** Git ref and commit being deployed (recorded in the release). */
  ref?: string;
  sha?: string;
}

/** Dry run: what would change, read from what runs now. Takes no lock and changes nothing. */
export async function planDeploy(
  ctx: DeployContext,
  opts: { images: ImageMap; initSwarm?: boolean },
): Promise<DeployPlan & { markdown: string }> {
  return withSession(ctx, { initSwarm: opts.initSwarm }, async (s) => {
    const values = readSecretValues(s.env, s.vars, ctx.logger);
    const r = renderRelease(ctx.config, s, opts.images, secretFiles(s.paths, values), ctx.logger);
    const { plan } = await planDocument(s, r.document, r.services, ctx.logger);
    return { ...plan, markdown: planMarkdown(plan) };
  });
}

/** Deploy an image map: lock, render, plan, roll out what changed, record; automatic rollback on failure. */
export async function deploy(ctx: DeployContext, opts: DeployOptions): Promise<DeployResult> {
  // Bad input fails before any connection or lock: the environment, its secrets, the image map.
  const env = environmentOf(ctx.config, ctx.environment);
  readSecretValues(env, ctx.vars ?? process.env, ctx.logger);
  const model = stackForEnvironment(ctx.config, env.name, { ...env.env, ...(ctx.vars ?? process.env) });
  checkImageMap(opts.images, Object.keys(model.services));
  return withSession(ctx, { ...opts, lock: `deploy ${ctx.environment}` }, async (s) => {
    const values = readSecretValues(s.env, s.vars, ctx.logger);
    // Render (and so check the image map) before writing anything: bad input changes nothing.
    const r = renderRelease(ctx.config, s, opts.images, secretFiles(s.paths, values), ctx.logger);
    await writeSecrets(s.target, s.paths, values);
    if (r.uploads.length) await ctx.logger.group('Files', () => uploadFiles(s.target, r.uploads, ctx.logger));
    return rollout(s, {
      command: 'deploy',
      composeText: r.text,
      services: r.services,
      ref: opts.ref,
      sha: opts.sha,
      cwd: ctx.config.root,
      logger: ctx.logger,
    });
  });
}

/** Redeploy a recorded release exactly (its rendered file): an id, or "previous". */
export async function rollback(
  ctx: DeployContext,
  which: string,
  opts: LockOptions & { ref?: string; sha?: string } = {},
): Promise<DeployResult> {
  return withSession(ctx, { ...opts, lock: `rollback ${ctx.environment} to ${which}` }, async (s) => {
    const releases = await listReleases(s.target, s.paths);
    const to = resolveRollback(releases, which);
    ctx.logger.info(`rolling ${s.env.name} back to ${to.id} (deployed ${to.at} by ${to.who}, ${to.outcome})`);
    const values = readSecretValues(s.env, s.vars, ctx.logger);
    await writeSecrets(s.target, s.paths, values);
    return rollout(s, {
      command: 'rollback',
      composeText: await readReleaseCompose(s.target, s.paths, to.id),
      services: to.services,
      rollbackOf: to.id,
      ref: opts.ref ?? to.ref,
      sha: opts.sha ?? to.sha,
      cwd: ctx.config.root,
      logger: ctx.logger,
    });
  });
}

export interface ReleaseList {
  releases: Release[];
  knownGood?: string;
  audit: AuditEntry[];
  markdown: string;
}

/** Recorded releases, oldest first, with the known-good marked. */
export async function releases(ctx: DeployContext): Promise<ReleaseList> {
  return withSession(ctx, { check: false }, async (s) => {
    const list = await listReleases(s.target, s.paths);
    const good = [...list].reverse().find((r) => r.outcome === 'healthy')?.id;
    const rows = list.map(
      (r) =>
        `| ${r.id}${r.id === good ? ' ✅ current' : ''} | ${r.outcome} | ${r.at} | ${r.who} | ${r.sha?.slice(0, 7) ?? r.ref ?? '—'} | ${r.changed.join(', ') || '—'} | ${r.rollbackOf ? `rollback to ${r.rollbackOf}` : (r.message ?? '')} |`,
    );
    const markdown = [
      `### Releases of ${s.env.name} (${s.target.description}, project ${s.env.projectName})`,
      '',
      '| release | outcome | at | who | commit | restarted | note |',
      '|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n');
    return { releases: list, knownGood: good, audit: await readAudit(s.target, s.paths), markdown };
  });
}

export type LockAction = 'status' | 'acquire' | 'release';

export interface LockResult {
  action: LockAction;
  holder?: LockHolder;
  released?: boolean;
  message: string;
}

/** `lock status|acquire|release`: an operator holds the lock across manual work, or frees a stale one. */
export async function lock(
  ctx: DeployContext,
  action: LockAction,
  opts: { reason?: string; waitMs?: number; who?: string; token?: string } = {},
): Promise<LockResult> {
  if (!['status', 'acquire', 'release'].includes(action)) {
    throw new InputError(
      `unknown lock action "${action}"; expected status, acquire or release`,
      undefined,
      'lock',
    );
  }
  return withSession(ctx, { check: false }, async (s) => {
    if (action === 'status') {
      const holder = await lockStatus(s.target, s.paths);
      return {
        action,
        holder,
        message: holder
          ? `${s.env.name}: locked by ${holder.holder} since ${holder.since} (${holder.reason})`
          : `${s.env.name}: not locked`,
      };
    }
    if (action === 'acquire') {
      const holder = await acquireLock(s.target, s.paths, {
        reason: opts.reason ?? 'held by hand',
        who: opts.who ?? s.who,
        waitMs: opts.waitMs,
        logger: ctx.logger,
      });
      return { action, holder, message: `${s.env.name}: locked by ${holder.holder} (${holder.reason})` };
    }
    const holder = await lockStatus(s.target, s.paths);
    const released = await releaseLock(s.target, s.paths, { token: opts.token, who: opts.who ?? s.who });
    if (opts.token && !released && holder) {
      return {
        action,
        holder,
        released,
        message: `${s.env.name}: the lock is held by another run (${holder.holder}); left alone`,
      };
    }
    return {
      action,
      holder,
      released,
      message: released
        ? `${s.env.name}: lock released (was held by ${holder?.holder})`
        : `${s.env.name}: was not locked`,
    };
  });
}
