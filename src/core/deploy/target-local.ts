/** The local target: this machine's engine and file system. */
import { existsSync } from 'node:fs';
import { appendFile, chmod, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { run } from '../exec.js';
import type { Logger } from '../log.js';
import type { Target, TargetExecOptions } from './target.js';

/** Debian's client (20.10) does BuildKit and talks to the local engine; a newer client on PATH may lack buildx. */
export function localDockerBinary(): string {
  return existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
}

export class LocalTarget implements Target {
  readonly description = 'local';
  readonly remote = false;
  constructor(private readonly logger?: Logger) {}

  exec(cmd: string, args: string[], opts: TargetExecOptions = {}) {
    return run(cmd, args, { ...opts, logger: this.logger });
  }
  async docker(): Promise<string> {
    return localDockerBinary();
  }
  async readFile(path: string): Promise<string | undefined> {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
  async writeFile(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
    await rm(path, { force: true });
    await writeFile(path, content, { mode });
    await chmod(path, mode);
  }
  async appendFile(path: string, content: string): Promise<void> {
    await appendFile(path, content, { mode: 0o600 });
  }
  async makeDir(path: string, opts: { mode?: number; exclusive?: boolean } = {}): Promise<boolean> {
    const mode = opts.mode ?? 0o755;
    if (!opts.exclusive) {
      await mkdir(path, { recursive: true, mode });
      await chmod(path, mode);
      return true;
    }
    try {
      await mkdir(path, { mode });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  }
  async list(path: string): Promise<string[]> {
    try {
      return (await readdir(path)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }
  async remove(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
  }
  async close(): Promise<void> {}
}
