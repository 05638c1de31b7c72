/**
 * Every image a release names is on its target under the recorded id before the plan runs, with no registry
 * needed: a ref that now names another image is pointed back at the recorded id when the engine still has it
 * (a rollback after a third-party tag moved), and what a remote engine lacks is streamed from the local engine
 * in one `docker save | docker load` over the SSH connection (layers shared between images travel once).
 * What neither engine has is left to the engine to pull.
 */
import { PassThrough } from 'node:stream';
import { run } from '../exec.js';
import { formatDuration } from '../duration.js';
import { FailedError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { imageId } from './engine.js';
import type { ReleaseService } from './releases.js';
import { LocalTarget, localDockerBinary } from './target-local.js';
import type { Target } from './target.js';

export interface ShipReport {
  /** refs pointed back at their recorded id on the target. */
  retagged: string[];
  /** refs streamed from the local engine. */
  shipped: string[];
  bytes: number;
  ms: number;
}

const SHIP_TIMEOUT_MS = 30 * 60_000;

/** ref → the image id the release records for it (entries without an id are left to the engine). */
function wanted(services: Record<string, ReleaseService>): Map<string, string> {
  const out = new Map<string, string>();
  for (const svc of Object.values(services)) {
    if (svc.ref && svc.imageId?.startsWith('sha256:') && !svc.ref.includes('@'))
      out.set(svc.ref, svc.imageId);
  }
  return out;
}

async function tag(target: Target, id: string, ref: string): Promise<void> {
  await target.exec(await target.docker(), ['tag', id, ref], { timeoutMs: 60_000 });
}

/** Stream images from the local engine into the target's; returns the bytes sent. */
async function stream(target: Target, saveArgs: string[]): Promise<number> {
  const pipe = new PassThrough();
  let bytes = 0;
  pipe.on('data', (c: Buffer) => (bytes += c.length));
  const counted = new PassThrough();
  pipe.pipe(counted);
  const load = target.exec(await target.docker(), ['load', '-q'], {
    input: counted,
    timeoutMs: SHIP_TIMEOUT_MS,
  });
  const save = run(localDockerBinary(), ['save', ...saveArgs], {
    stdoutTo: pipe,
    timeoutMs: SHIP_TIMEOUT_MS,
  });
  const [saved, loaded] = await Promise.allSettled([save, load]);
  // When both ends fail, the receiving side's error says why (a save only sees its pipe close).
  if (loaded.status === 'rejected')
    throw new Error(`docker load on ${target.description}: ${messageOf(loaded.reason)}`);
  if (saved.status === 'rejected') throw new Error(`docker save on this machine: ${messageOf(saved.reason)}`);
  return bytes;
}

/**
 * `others`: further refs the deployed file names (e.g. the Swarm driver's edge proxy image); no id is recorded
 * for them, so a remote engine that lacks one gets the local engine's image under that ref.
 */
export async function ensureImages(
  target: Target,
  services: Record<string, ReleaseService>,
  logger: Logger,
  others: string[] = [],
): Promise<ShipReport> {
  const started = Date.now();
  const report: ShipReport = { retagged: [], shipped: [], bytes: 0, ms: 0 };
  const missing: [string, string][] = [];
  const recorded = wanted(services);
  const local = new LocalTarget();
  if (target.remote) {
    for (const ref of new Set(others.filter((r) => r && !r.includes('@') && !recorded.has(r)))) {
      if (await imageId(target, ref)) continue;
      const id = await imageId(local, ref);
      if (id) missing.push([ref, id]);
    }
  }
  for (const [ref, id] of recorded) {
    if ((await imageId(target, ref)) === id) continue;
    if (await imageId(target, id)) {
      await tag(target, id, ref);
      logger.info(
        `images: ${ref} pointed back at ${id.slice(7, 19)} on ${target.description} (the release's image)`,
      );
      report.retagged.push(ref);
    } else missing.push([ref, id]);
  }
  if (!missing.length || !target.remote) return { ...report, ms: Date.now() - started };
  const sendable: [string, string][] = [];
  for (const [ref, id] of missing) {
    if (await imageId(local, id)) sendable.push([ref, id]);
    else
      logger.warn(
        `images: ${ref} (${id.slice(7, 19)}) is on neither engine; ${target.description} will try to pull it`,
      );
  }
  if (!sendable.length) return { ...report, ms: Date.now() - started };
  // Save by ref where the local ref still names the id (the tag travels), else by id (tagged after the load).
  const args: string[] = [];
  for (const [ref, id] of sendable) args.push((await imageId(local, ref)) === id ? ref : id);
  logger.info(
    `images: sending ${sendable.map(([r]) => r).join(', ')} to ${target.description} (no registry: docker save | docker load)`,
  );
  try {
    report.bytes = await stream(target, args);
  } catch (e) {
    throw new FailedError(`images could not be sent to ${target.description}: ${messageOf(e)}`);
  }
  for (const [ref, id] of sendable) {
    if ((await imageId(target, ref)) !== id) await tag(target, id, ref);
    report.shipped.push(ref);
  }
  report.ms = Date.now() - started;
  logger.info(
    `images: sent ${sendable.length} image(s), ${(report.bytes / 1e6).toFixed(0)} MB, in ${formatDuration(report.ms)}`,
  );
  return report;
}
