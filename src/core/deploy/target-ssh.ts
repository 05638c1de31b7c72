/** A remote host over SSH (ssh2): commands through the remote shell (arguments quoted), files through SFTP. */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client, ConnectConfig, SFTPWrapper } from 'ssh2';
import { ExecError } from '../exec.js';
import type { ExecResult } from '../exec.js';
import { InputError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { decideHostKey } from './host-key.js';
import { shellQuote, type Target, type TargetExecOptions } from './target.js';

export interface SshAddress {
  user: string;
  host: string;
  port: number;
}

/** Parse ssh://user@host[:port]. */
export function parseSshTarget(target: string): SshAddress {
  const m = /^ssh:\/\/([^@/\s]+)@([^:/\s]+)(?::(\d+))?\/?$/.exec(target);
  if (!m) throw new InputError(`expected ssh://user@host[:port], got "${target}"`, undefined, 'target');
  return { user: m[1], host: m[2], port: m[3] ? Number(m[3]) : 22 };
}

export interface SshOptions {
  privateKey: string;
  passphrase?: string;
  logger?: Logger;
  connectTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

function explain(err: Error & { code?: string; level?: string }, where: string): string {
  if (err.code === 'ECONNREFUSED')
    return `cannot reach ${where}: connection refused (is sshd listening there?)`;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `cannot resolve the host of ${where}`;
  if (err.code === 'ETIMEDOUT' || /Timed out/i.test(err.message)) return `cannot reach ${where}: timed out`;
  if (err.level === 'client-authentication' || /authentication methods failed/i.test(err.message))
    return `${where} refused the SSH key (check the public key in the user's authorized_keys)`;
  if (/privateKey|Cannot parse/i.test(err.message))
    return `the SSH private key cannot be read: ${err.message}`;
  return `SSH connection to ${where} failed: ${err.message}`;
}

/**
 * ssh2 is loaded on first use: its bundled crypto reads the CommonJS `__dirname` when it loads, which an ESM
 * bundle (dist/*) lacks — so the global is provided first, and local deploys never load ssh2 at all.
 */
async function loadSsh2(): Promise<typeof import('ssh2')> {
  const g = globalThis as Record<string, unknown>;
  g.__dirname ??= dirname(fileURLToPath(import.meta.url));
  g.__filename ??= fileURLToPath(import.meta.url);
  const mod = (await import('ssh2')) as typeof import('ssh2') & { default?: typeof import('ssh2') };
  return mod.Client ? mod : mod.default!;
}

export class SshTarget implements Target {
  private sftpP?: Promise<SFTPWrapper>;
  private dockerBin?: string;
  private constructor(
    readonly description: string,
    private readonly conn: Client,
    private readonly logger?: Logger,
  ) {}

  /** Connect and authenticate; a clear InputError when the host is unreachable or refuses the key. */
  static async connect(target: string, opts: SshOptions): Promise<SshTarget> {
    const addr = parseSshTarget(target);
    const where = `${addr.user}@${addr.host}:${addr.port}`;
    let refusedKey: string | undefined;
    const { Client: SshClient } = await loadSsh2();
    const conn = new SshClient();
    const config: ConnectConfig = {
      host: addr.host,
      port: addr.port,
      username: addr.user,
      privateKey: opts.privateKey,
      passphrase: opts.passphrase,
      readyTimeout: opts.connectTimeoutMs ?? 15_000,
      hostVerifier: (key: Buffer) => {
        const d = decideHostKey(key, addr.host, addr.port, opts.env);
        if (d.accept) opts.logger?.info(`ssh ${where}: ${d.reason}`);
        else refusedKey = d.reason;
        return d.accept;
      },
    };
    await new Promise<void>((resolve, reject) => {
      conn.once('ready', () => resolve());
      conn.once('error', (e) => {
        reject(
          new InputError(
            refusedKey ? `${where}: host key refused: ${refusedKey}` : explain(e, where),
            undefined,
            'target',
          ),
        );
      });
      try {
        conn.connect(config);
      } catch (e) {
        reject(new InputError(explain(e as Error, where), undefined, 'target'));
      }
    });
    return new SshTarget(`ssh://${where}`, conn, opts.logger);
  }

  exec(cmd: string, args: string[], opts: TargetExecOptions = {}): Promise<ExecResult> {
    const shown = [cmd, ...args].join(' ');
    const line = [cmd, ...args].map(shellQuote).join(' ');
    this.logger?.debug(`$ [${this.description}] ${shown}`);
    const started = Date.now();
    const timeoutMs = opts.timeoutMs ?? 10 * 60 * 1000;
    return new Promise((resolve, reject) => {
      this.conn.exec(line, (err, stream) => {
        if (err) return reject(new Error(`${this.description}: cannot run ${cmd}: ${err.message}`));
        const out: Buffer[] = [];
        const errs: Buffer[] = [];
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          stream.close();
        }, timeoutMs);
        stream.on('data', (d: Buffer) => out.push(d));
        stream.stderr.on('data', (d: Buffer) => errs.push(d));
        stream.on('close', (code: number | null) => {
          clearTimeout(timer);
          const result: ExecResult = {
            code: timedOut ? 124 : (code ?? 1),
            stdout: Buffer.concat(out).toString(),
            stderr: Buffer.concat(errs).toString() + (timedOut ? `\ntimed out after ${timeoutMs}ms` : ''),
            ms: Date.now() - started,
          };
          if (result.code !== 0 && !opts.ignoreReturnCode) reject(new ExecError(shown, result));
          else resolve(result);
        });
        if (opts.input !== undefined) stream.end(opts.input);
        else stream.end();
      });
    });
  }

  async docker(): Promise<string> {
    if (!this.dockerBin) {
      const r = await this.exec('test', ['-x', '/usr/bin/docker'], { ignoreReturnCode: true });
      this.dockerBin = r.code === 0 ? '/usr/bin/docker' : 'docker';
    }
    return this.dockerBin;
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpP ??= new Promise((resolve, reject) =>
      this.conn.sftp((err, s) => (err ? reject(err) : resolve(s))),
    );
    return this.sftpP;
  }

  async readFile(path: string): Promise<string | undefined> {
    const s = await this.sftp();
    return new Promise((resolve, reject) =>
      s.readFile(path, (err: (Error & { code?: number }) | null | undefined, data: Buffer) => {
        if (err) return err.code === 2 ? resolve(undefined) : reject(new Error(`${path}: ${err.message}`));
        resolve(data.toString('utf8'));
      }),
    );
  }

  async writeFile(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
    await this.remove(path);
    const s = await this.sftp();
    await new Promise<void>((resolve, reject) =>
      s.writeFile(path, content, { mode }, (err) =>
        err ? reject(new Error(`${path}: ${err.message}`)) : resolve(),
      ),
    );
    await new Promise<void>((resolve, reject) =>
      s.chmod(path, mode, (err) => (err ? reject(new Error(`${path}: ${err.message}`)) : resolve())),
    );
  }

  async appendFile(path: string, content: string): Promise<void> {
    const s = await this.sftp();
    await new Promise<void>((resolve, reject) =>
      s.appendFile(path, content, { mode: 0o600 }, (err) =>
        err ? reject(new Error(`${path}: ${err.message}`)) : resolve(),
      ),
    );
  }

  async makeDir(path: string, opts: { mode?: number; exclusive?: boolean } = {}): Promise<boolean> {
    const mode = (opts.mode ?? 0o755).toString(8);
    if (!opts.exclusive) {
      await this.exec('mkdir', ['-p', '-m', mode, '--', path]);
      await this.exec('chmod', [mode, '--', path]);
      return true;
    }
    const r = await this.exec('mkdir', ['-m', mode, '--', path], { ignoreReturnCode: true });
    if (r.code === 0) return true;
    if (/exists/i.test(r.stderr)) return false;
    throw new ExecError(`mkdir ${path}`, r);
  }

  async list(path: string): Promise<string[]> {
    const s = await this.sftp();
    return new Promise((resolve, reject) =>
      s.readdir(path, (err: (Error & { code?: number }) | undefined, list) => {
        if (err) return err.code === 2 ? resolve([]) : reject(new Error(`${path}: ${messageOf(err)}`));
        resolve(list.map((e) => e.filename).sort());
      }),
    );
  }

  async remove(path: string): Promise<void> {
    await this.exec('rm', ['-rf', '--', path]);
  }

  async close(): Promise<void> {
    this.conn.end();
  }
}
