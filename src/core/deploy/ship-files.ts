/**
 * Project files a remote stack mounts (Prometheus' config and rules, Alertmanager's, Grafana's provisioning,
 * env files): on an SSH target the compose file's relative paths point at copies under
 * <state>/files/<content hash>/<name>, uploaded once per content. A changed file gets a new path, so the
 * services that mount it restart; an old release keeps the copy it was deployed with, so a rollback finds it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import type { Logger } from '../log.js';
import type { Relocate } from './compose-doc.js';
import type { Target } from './target.js';

export interface FileUpload {
  local: string;
  remote: string;
}

const DONE = '.erp-deploy-complete';

/** Entries of a file or directory tree: relative path ('' for the root), kind, mode. Symlinks are followed. */
function walk(root: string, rel = ''): { rel: string; dir: boolean; mode: number }[] {
  const st = statSync(join(root, rel));
  if (!st.isDirectory()) return [{ rel, dir: false, mode: st.mode }];
  const out: { rel: string; dir: boolean; mode: number }[] = [{ rel, dir: true, mode: st.mode }];
  for (const name of readdirSync(join(root, rel)).sort())
    out.push(...walk(root, rel ? `${rel}/${name}` : name));
  return out;
}

/** Containers run as unprivileged users: files readable by all, executables kept executable. */
const modeOf = (dir: boolean, mode: number) => (dir || mode & 0o111 ? 0o755 : 0o644);

function contentHash(path: string): string {
  const h = createHash('sha256');
  for (const e of walk(path)) {
    h.update(`${e.rel}\0${e.dir ? 'd' : 'f'}${modeOf(e.dir, e.mode).toString(8)}\0`);
    if (!e.dir) h.update(readFileSync(join(path, e.rel)));
  }
  return h.digest('hex').slice(0, 16);
}

/** Collects the uploads a rendering needs; `relocate` is handed to prepareCompose. */
export class ProjectFiles {
  readonly uploads: FileUpload[] = [];
  constructor(private readonly filesRoot: string) {}

  readonly relocate: Relocate = (local) => {
    // A path that does not exist here stays as written: the engine reports it, as it would locally.
    if (!existsSync(local)) return local;
    const remote = posix.join(this.filesRoot, contentHash(local), basename(local));
    if (!this.uploads.some((u) => u.remote === remote)) this.uploads.push({ local, remote });
    return remote;
  };
}

export const filesRoot = (stateRoot: string) => posix.join(stateRoot, 'files');

/** Upload what the target lacks; a copy is complete once its marker exists (an interrupted one is redone). */
export async function uploadFiles(
  target: Target,
  uploads: FileUpload[],
  logger: Logger,
): Promise<{ sent: number; kept: number; bytes: number }> {
  let sent = 0;
  let bytes = 0;
  for (const u of uploads) {
    const dir = posix.dirname(u.remote);
    if ((await target.readFile(posix.join(dir, DONE))) !== undefined) continue;
    await target.remove(dir);
    await target.makeDir(dir, { mode: 0o755 });
    for (const e of walk(u.local)) {
      const dest = e.rel ? posix.join(u.remote, e.rel) : u.remote;
      if (e.dir) {
        await target.makeDir(dest, { mode: 0o755 });
        continue;
      }
      const content = readFileSync(join(u.local, e.rel));
      await target.writeFile(dest, content, modeOf(false, e.mode));
      bytes += content.length;
    }
    await target.writeFile(posix.join(dir, DONE), `${u.local}\n`, 0o644);
    sent++;
  }
  logger.info(
    `files: ${uploads.length} project path(s) mounted on ${target.description}: ${sent} sent (${bytes} bytes), ${uploads.length - sent} already there`,
  );
  return { sent, kept: uploads.length - sent, bytes };
}
