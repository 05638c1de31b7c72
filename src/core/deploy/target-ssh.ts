/** A remote host over SSH (ssh2): commands through the remote shell (arguments quoted), files through SFTP. */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client, ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import { ExecError, isStream } from '../exec.js';
import type { ExecResult } from '../exec.js';
import { formatDuration } from '../duration.js';
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
  /** ssh2 keepalive interval (default 5 s; 3 unanswered in a row drop the connection). */
  keepaliveIntervalMs?: number;
  /** Bound on one SFTP operation (default 60 s). */
  sftpTimeoutMs?: number;
}

interface Settle<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
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

/** How long one SFTP operation may take before it fails (a small file; the link is loopback or LAN). */
const SFTP_TIMEOUT_MS = 60_000;
/** ssh2 keepalives: a silently dead peer is noticed after about interval × (countMax + 1). */
const KEEPALIVE_INTERVAL_MS = 5_000;
const KEEPALIVE_COUNT_MAX = 3;

export class SshTarget implements Target {
  private sftpP?: Promise<SFTPWrapper>;
  private dockerBin?: string;
  /** Why the connection is gone (once it is): every later operation fails with it at once. */
  private lost?: Error;
  /** Rejecters of the operations in flight: a dropped connection settles all of them. */
  private readonly pending = new Set<(e: Error) => void>();
  readonly description: string;
  readonly remote = true;
  private constructor(
    /** user@host:port */
    private readonly where: string,
    private readonly conn: Client,
    private readonly logger?: Logger,
    private readonly sftpTimeoutMs = SFTP_TIMEOUT_MS,
  ) {
    this.description = `ssh://${where}`;
    const lost = (why: string) => new Error(`SSH connection to ${where} lost: ${why}`);
    conn.on('error', (e: Error) => this.drop(lost(e.message)));
    conn.on('end', () => this.drop(lost('the server ended the session')));
    conn.on('close', () => this.drop(lost('the connection closed')));
  }

  /** The connection is gone (or closed by us): fail every operation in flight, and every later one. */
  private drop(why: Error): void {
    if (this.lost) return;
    this.lost = why;
    if (this.pending.size) this.logger?.warn(`${why.message} (${this.pending.size} operation(s) failed)`);
    for (const reject of [...this.pending]) reject(why);
    this.pending.clear();
  }

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
      keepaliveInterval: opts.keepaliveIntervalMs ?? KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      hostVerifier: (key: Buffer) => {
        const d = decideHostKey(key, addr.host, addr.port, opts.env);
        if (d.accept) opts.logger?.info(`ssh ${where}: ${d.reason}`);
        else refusedKey = d.reason;
        return d.accept;
      },
    };
    await new Promise<void>((resolve, reject) => {
      const failed = (e: Error) => {
        conn.removeListener('ready', ready);
        reject(
          new InputError(
            refusedKey ? `${where}: host key refused: ${refusedKey}` : explain(e, where),
            undefined,
            'target',
          ),
        );
      };
      const ready = () => {
        conn.removeListener('error', failed);
        resolve();
      };
      conn.once('ready', ready);
      conn.once('error', failed);
      try {
        conn.connect(config);
      } catch (e) {
        reject(new InputError(explain(e as Error, where), undefined, 'target'));
      }
    });
    return new SshTarget(where, conn, opts.logger, opts.sftpTimeoutMs);
  }

  /**
   * One operation on the connection, settled exactly once: it fails at once when the connection is gone, is
   * rejected when the connection drops, and fails after timeoutMs (onTimeout may resolve it otherwise first).
   */
  private operation<T>(
    what: string,
    timeoutMs: number,
    start: (settle: Settle<T>) => void,
    onTimeout?: (settle: Settle<T>) => void,
  ): Promise<T> {
    const during = (e: Error) => new Error(`${e.message} (during: ${what})`);
    if (this.lost) return Promise.reject(during(this.lost));
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.pending.delete(dropped);
      };
      const settle: Settle<T> = {
        resolve: (v: T) => (done(), resolve(v)),
        reject: (e: Error) => (done(), reject(e)),
      };
      const dropped = (e: Error) => settle.reject(during(e));
      const timer = setTimeout(() => {
        if (onTimeout) onTimeout(settle);
        settle.reject(new Error(`${this.description}: ${what} timed out after ${formatDuration(timeoutMs)}`));
      }, timeoutMs);
      this.pending.add(dropped);
      try {
        start(settle);
      } catch (e) {
        settle.reject(e as Error);
      }
    });
  }

  exec(cmd: string, args: string[], opts: TargetExecOptions = {}): Promise<ExecResult> {
    const shown = [cmd, ...args].join(' ');
    const line = [cmd, ...args].map(shellQuote).join(' ');
    this.logger?.debug(`$ [${this.description}] ${shown}`);
    const started = Date.now();
    const timeoutMs = opts.timeoutMs ?? 10 * 60 * 1000;
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    let channel: ClientChannel | undefined;
    const finish = (settle: Settle<ExecResult>, code: number, note = '') => {
      const result: ExecResult = {
        code,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(errs).toString() + note,
        ms: Date.now() - started,
      };
      if (result.code !== 0 && !opts.ignoreReturnCode) settle.reject(new ExecError(shown, result));
      else settle.resolve(result);
    };
    return this.operation<ExecResult>(
      shown,
      timeoutMs,
      (settle) =>
        this.conn.exec(line, (err, stream) => {
          if (err) return settle.reject(new Error(`${this.description}: cannot run ${cmd}: ${err.message}`));
          channel = stream;
          stream.on('data', (d: Buffer) => out.push(d));
          stream.stderr.on('data', (d: Buffer) => errs.push(d));
          stream.on('close', (code: number | null) => finish(settle, code ?? 1));
          if (isStream(opts.input)) opts.input.pipe(stream);
          else if (opts.input !== undefined) stream.end(opts.input);
          else stream.end();
        }),
      // A command past its time: exit code 124 like timeout(1), whether or not the channel still answers.
      (settle) => {
        finish(settle, 124, `\ntimed out after ${timeoutMs}ms`);
        channel?.close();
      },
    );
  }

  async docker(): Promise<string> {
    if (!this.dockerBin) {
      const r = await this.exec('test', ['-x', '/usr/bin/docker'], { ignoreReturnCode: true });
      this.dockerBin = r.code === 0 ? '/usr/bin/docker' : 'docker';
    }
    return this.dockerBin;
  }

  private sftp(): Promise<SFTPWrapper> {
    if (!this.sftpP) {
      this.sftpP = this.operation<SFTPWrapper>('open SFTP', this.sftpTimeoutMs, ({ resolve, reject }) =>
        this.conn.sftp((err, s) => (err ? reject(err) : resolve(s))),
      );
      this.sftpP.catch(() => (this.sftpP = undefined)); // a failed open is tried again next time
    }
    return this.sftpP;
  }

  /** One SFTP call, bounded and settled when the connection drops. */
  private async sftpCall<T>(what: string, call: (s: SFTPWrapper, settle: Settle<T>) => void): Promise<T> {
    const s = await this.sftp();
    return this.operation<T>(what, this.sftpTimeoutMs, (settle) => call(s, settle));
  }

  async readFile(path: string): Promise<string | undefined> {
    return this.sftpCall<string | undefined>(`read ${path}`, (s, { resolve, reject }) =>
      s.readFile(path, (err: (Error & { code?: number }) | null | undefined, data: Buffer) => {
        if (err) return err.code === 2 ? resolve(undefined) : reject(new Error(`${path}: ${err.message}`));
        resolve(data.toString('utf8'));
      }),
    );
  }

  async writeFile(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
    await this.remove(path);
    await this.sftpCall<void>(`write ${path}`, (s, { resolve, reject }) =>
      s.writeFile(path, content, { mode }, (err) =>
        err ? reject(new Error(`${path}: ${err.message}`)) : resolve(),
      ),
    );
    await this.sftpCall<void>(`chmod ${path}`, (s, { resolve, reject }) =>
      s.chmod(path, mode, (err) => (err ? reject(new Error(`${path}: ${err.message}`)) : resolve())),
    );
  }

  async appendFile(path: string, content: string): Promise<void> {
    await this.sftpCall<void>(`append to ${path}`, (s, { resolve, reject }) =>
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
    return this.sftpCall<string[]>(`list ${path}`, (s, { resolve, reject }) =>
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
    this.drop(new Error(`SSH connection to ${this.where} closed`));
    this.conn.end();
  }
}
