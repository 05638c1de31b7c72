/**
 * Where an environment runs: this machine or a host over SSH. Everything the deploy core does on a host goes
 * through this interface — run a command (args array, no shell on the local side), read and write files, make
 * directories atomically (the lock) — so the drivers, the release store and the lock work the same on both.
 */
import type { Readable } from 'node:stream';
import type { ExecResult } from '../exec.js';

export interface TargetExecOptions {
  /**
   * Written to the command's standard input, then closed (secrets travel this way, never as arguments); a
   * stream is piped (images shipped to a remote engine).
   */
  input?: string | Buffer | Readable;
  timeoutMs?: number;
  ignoreReturnCode?: boolean;
}

export interface Target {
  /** "local" or ssh://user@host:port — for messages and the audit log. */
  readonly description: string;
  /** True when the host is another machine: files and images must be shipped to it. */
  readonly remote: boolean;
  /** Run a command on the host. Fails with ExecError (last stderr line) unless ignoreReturnCode. */
  exec(cmd: string, args: string[], opts?: TargetExecOptions): Promise<ExecResult>;
  /** The docker client binary on the host (Debian's /usr/bin/docker when present: it does BuildKit). */
  docker(): Promise<string>;
  /** File content, or undefined when the file does not exist. */
  readFile(path: string): Promise<string | undefined>;
  /** Create or replace a file (parents must exist) with the given mode (default 0644). */
  writeFile(path: string, content: string | Buffer, mode?: number): Promise<void>;
  appendFile(path: string, content: string): Promise<void>;
  /**
   * Make a directory. exclusive: atomic create that returns false when it already exists (the lock);
   * otherwise parents are created too and an existing directory is fine.
   */
  makeDir(path: string, opts?: { mode?: number; exclusive?: boolean }): Promise<boolean>;
  /** Names in a directory (empty when it does not exist). */
  list(path: string): Promise<string[]>;
  /** Remove a file or a directory tree; no error when absent. */
  remove(path: string): Promise<void>;
  close(): Promise<void>;
}

/** Quote one argument for a POSIX shell (SSH runs commands through the remote user's shell). */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
