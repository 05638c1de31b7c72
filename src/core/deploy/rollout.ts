/**
 * The rollout every changing command shares: plan a compose document against what runs, record the release,
 * let the driver roll out what changed and wait for health; on failure roll back to the known-good release by
 * redeploying its recorded file, and say exactly what happened.
 */
import { posix } from 'node:path';
import { parse } from 'yaml';
import { FailedError, InputError } from '../errors.js';
import type { Logger } from '../log.js';
import { isMapping, toYaml, type Mapping } from './compose-doc.js';
import { imageId } from './engine.js';
import { runHooks, type HookVars } from './hooks.js';
import { computePlan, pinKeptRefs, planMarkdown, type DeployPlan } from './plan.js';
import {
  knownGood,
  listReleases,
  newReleaseId,
  readReleaseCompose,
  saveRelease,
  type Release,
  type ReleaseService,
} from './releases.js';
import type { Session } from './session.js';
import { pruneReleases } from './prune.js';
import { ensureImages } from './ship-images.js';
import { audit } from './state.js';

export interface DeployResult {
  /** The release recorded by this run; when nothing changed, the release that already runs. */
  release: Release;
  /** The known-good release before this run (what an automatic rollback restores). */
  previous?: Release;
  plan: DeployPlan;
  changed: boolean;
  url: string;
  /** Set when an automatic rollback ran: the release it restored. */
  rolledBackTo?: string;
  markdown: string;
}

/** The rollout failed; `result` says which release failed and what runs now. */
export class RolloutFailedError extends FailedError {
  constructor(
    message: string,
    readonly result: DeployResult,
  ) {
    super(message, result);
    this.name = 'RolloutFailedError';
  }
}

/** The image id each service of a document must run: known for built images, looked up on the target for the rest. */
export async function expectedImageIds(
  s: Session,
  document: Mapping,
  known: Record<string, ReleaseService>,
  logger: Logger,
): Promise<Record<string, string>> {
  const byRef = new Map(Object.values(known).map((k) => [k.ref, k.imageId]));
  const out: Record<string, string> = {};
  const cache = new Map<string, string>();
  for (const [name, svc] of Object.entries((document.services ?? {}) as Record<string, Mapping>)) {
    const ref = String(svc.image ?? '');
    const onTarget = cache.get(ref) ?? (await imageId(s.target, ref));
    cache.set(ref, onTarget);
    const want = known[name]?.ref === ref ? known[name].imageId : byRef.get(ref);
    if (want && onTarget && onTarget !== want) {
      throw new InputError(
        `${name}: ${s.target.description} has another image under ${ref} (${onTarget.slice(7, 19)}, expected ${want.slice(7, 19)})`,
        undefined,
        'images',
      );
    }
    if (want && !onTarget && !ref.includes('@')) {
      logger.warn(
        `${name}: ${ref} is not on ${s.target.description} yet; a deploy sends it from this machine's engine when it has it, else the engine pulls it`,
      );
    }
    out[name] = want ?? onTarget;
  }
  return out;
}

export async function planDocument(
  s: Session,
  document: Mapping,
  known: Record<string, ReleaseService>,
  logger: Logger,
): Promise<{ plan: DeployPlan; expect: Record<string, string> }> {
  const expect = await expectedImageIds(s, document, known, logger);
  const current = await s.driver.current(s.target, s.env.projectName);
  const plan = computePlan(
    {
      environment: s.env.name,
      project: s.env.projectName,
      driver: s.driver.name,
      target: s.target.description,
    },
    document,
    current,
    expect,
  );
  return { plan, expect };
}

async function apply(
  s: Session,
  document: Mapping,
  file: string,
  plan: DeployPlan,
  expect: Record<string, string>,
  logger: Logger,
) {
  if (s.driver.caveat && plan.changed.some((x) => !plan.services.find((p) => p.service === x)?.data)) {
    logger.warn(s.driver.caveat);
  }
  return s.driver.apply({
    target: s.target,
    project: s.env.projectName,
    document,
    composeFile: file,
    levels: plan.levels,
    expectImageIds: expect,
    timeoutMs: s.healthTimeoutMs,
    logger,
    stateRoot: s.paths.root,
  });
}

export interface RolloutRequest {
  command: 'deploy' | 'rollback';
  /** The exact file to deploy (driver-prepared). */
  composeText: string;
  services: Record<string, ReleaseService>;
  ref?: string;
  sha?: string;
  rollbackOf?: string;
  cwd: string;
  logger: Logger;
}

function hookVars(s: Session, req: RolloutRequest, release: Release, previous?: Release): HookVars {
  return {
    ERP_COMMAND: req.command,
    ERP_ENVIRONMENT: s.env.name,
    ERP_PROJECT: s.env.projectName,
    ERP_DRIVER: s.driver.name,
    ERP_TARGET: s.target.description,
    ERP_URL: s.env.url,
    ERP_RELEASE: release.id,
    ERP_PREVIOUS_RELEASE: previous?.id ?? '',
    ERP_PERFORMER: s.who,
    ERP_SERVICES: release.changed.join(','),
  };
}

/** The document and text to deploy: for whole-document drivers, kept (e.g. retagged) services keep their running ref. */
function toDeploy(s: Session, req: RolloutRequest, parsed: Mapping, plan: DeployPlan) {
  const document = s.driver.deploysWholeDocument ? pinKeptRefs(parsed, plan) : parsed;
  if (document === parsed) return { document, text: req.composeText };
  const header = /^# (.*)/.exec(req.composeText)?.[1] ?? `erp-deploy ${req.command}`;
  return { document, text: toYaml(document, header) };
}

export async function rollout(s: Session, req: RolloutRequest): Promise<DeployResult> {
  const { logger } = req;
  const parsed = parse(req.composeText) as Mapping;
  if (!isMapping(parsed) || !isMapping(parsed.services))
    throw new InputError('rendered compose file has no services');
  const releases = await listReleases(s.target, s.paths);
  const previous = knownGood(releases);
  const refs = Object.values(parsed.services as Record<string, Mapping>).map((x) => String(x.image ?? ''));
  await logger.group('Images', () => ensureImages(s.target, req.services, logger, refs));
  const { plan, expect } = await logger.group('Plan', async () => {
    const p = await planDocument(s, parsed, req.services, logger);
    logger.info(planMarkdown(p.plan));
    return p;
  });
  const { document, text } = toDeploy(s, req, parsed, plan);
  const base = { previous, plan, url: s.env.url };
  if (!plan.changed.length && previous) {
    logger.info(
      `nothing to deploy: ${s.env.name} already runs release ${previous.id}'s images and definitions`,
    );
    await audit(s.target, s.paths, { who: s.who, action: `${req.command}-noop`, release: previous.id });
    return { ...base, release: previous, changed: false, markdown: planMarkdown(plan) };
  }
  const release: Release = {
    id: newReleaseId(),
    environment: s.env.name,
    driver: s.driver.name,
    target: s.target.description,
    services: req.services,
    changed: plan.changed,
    who: s.who,
    at: new Date().toISOString(),
    ref: req.ref,
    sha: req.sha,
    outcome: 'pending',
    ...(req.rollbackOf ? { rollbackOf: req.rollbackOf } : {}),
  };
  const vars = hookVars(s, req, release, previous);
  await runHooks('preDeploy', s.env.hooks.preDeploy, vars, logger, req.cwd);
  await saveRelease(s.target, s.paths, release, text);
  const file = posix.join(s.paths.releases, release.id, 'compose.yml');
  try {
    await s.driver.validate(s.target, s.env.projectName, file);
  } catch (e) {
    await s.target.remove(posix.dirname(file));
    throw e;
  }
  await audit(s.target, s.paths, {
    who: s.who,
    action: req.command,
    release: release.id,
    detail: plan.changed.join(','),
  });
  const started = Date.now();
  const result = await logger.group(`Roll out ${plan.changed.join(', ')}`, () =>
    apply(s, document, file, plan, expect, logger),
  );
  const finish = async (outcome: Release['outcome'], message?: string) => {
    Object.assign(release, {
      outcome,
      finishedAt: new Date().toISOString(),
      ...(message ? { message } : {}),
    });
    await saveRelease(s.target, s.paths, release);
    await audit(s.target, s.paths, { who: s.who, action: outcome, release: release.id, detail: message });
  };
  if (result.ok) {
    await finish('healthy');
    await pruneReleases(s.target, s.paths, s.env.keepReleases, s.who, logger);
    const md = planMarkdown(plan, `Deployed ${release.id}`);
    await runHooks(
      'postDeploy',
      s.env.hooks.postDeploy,
      { ...vars, ERP_OUTCOME: 'healthy', ERP_RUNTIME: String(Math.round((Date.now() - started) / 1000)) },
      logger,
      req.cwd,
    );
    return { ...base, release, changed: true, markdown: md };
  }
  const failure = result.message ?? 'rollout failed';
  if (!previous) {
    await finish('failed', `${failure}; no known-good release to roll back to`);
    throw new RolloutFailedError(
      `rollout of ${release.id} failed: ${failure}; no earlier healthy release to roll back to`,
      {
        ...base,
        release,
        changed: true,
        markdown: planMarkdown(plan, `Failed ${release.id}`),
      },
    );
  }
  const rb = await logger.group(`Automatic rollback to ${previous.id}`, async () => {
    logger.warn(`rollout of ${release.id} failed: ${failure}; rolling back to ${previous.id}`);
    const text = await readReleaseCompose(s.target, s.paths, previous.id);
    const doc = parse(text) as Mapping;
    const p = await planDocument(s, doc, previous.services, logger);
    const t0 = Date.now();
    const r = await apply(
      s,
      doc,
      posix.join(s.paths.releases, previous.id, 'compose.yml'),
      p.plan,
      p.expect,
      logger,
    );
    logger.info(`rollback ${r.ok ? 'healthy' : 'FAILED'} after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    return r;
  });
  const out = {
    ...base,
    release,
    changed: true,
    rolledBackTo: previous.id,
    markdown: planMarkdown(plan, `Failed ${release.id}`),
  };
  if (rb.ok) {
    await finish('rolled-back', `${failure}; rolled back to ${previous.id}`);
    throw new RolloutFailedError(
      `rollout of ${release.id} failed: ${failure}. Rolled back automatically: ${s.env.name} serves ${previous.id} again`,
      out,
    );
  }
  await finish('failed', `${failure}; the rollback to ${previous.id} failed too: ${rb.message}`);
  throw new RolloutFailedError(
    `rollout of ${release.id} failed: ${failure}; the automatic rollback to ${previous.id} failed too: ${rb.message}`,
    out,
  );
}
