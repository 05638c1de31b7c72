/**
 * The one exec wrapper of the core. Arguments are passed as an array (no shell); a failing command raises
 * ExecError carrying its last stderr line, unless ignoreReturnCode is set. Every run is bounded by a timeout.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from './log.js';

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the command's standard input, then closed; a stream is piped (large transfers). */
  input?: string | Buffer | Readable;
  /** Pipe standard output into this stream (ended with it) instead of collecting it. */
  stdoutTo?: Writable;
  timeoutMs?: number;
  ignoreReturnCode?: boolean;
  logger?: Logger;
  /** Stream output lines to logger.debug while the command runs. */
  stream?: boolean;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export class ExecError extends Error {
  constructor(
    readonly command: string,
    readonly result: ExecResult,
  ) {
    const last =
      result.stderr.trim().split('\n').filter(Boolean).pop() ??
      result.stdout.trim().split('\n').filter(Boolean).pop() ??
      '';
    super(`${command} exited with ${result.code}${last ? `: ${last}` : ''}`);
    this.name = 'ExecError';
  }
}

export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

export function run(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const started = Date.now();
  const shown = [cmd, ...args].join(' ');
  opts.logger?.debug(`$ ${shown}`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (opts.stdoutTo) child.stdout.pipe(opts.stdoutTo);
    else
      child.stdout.on('data', (d: Buffer) => {
        out.push(d);
        if (opts.stream) opts.logger?.debug(d.toString().trimEnd());
      });
    child.stderr.on('data', (d: Buffer) => {
      err.push(d);
      if (opts.stream) opts.logger?.debug(d.toString().trimEnd());
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const result: ExecResult = {
        code: timedOut ? 124 : (code ?? 1),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString() + (timedOut ? `\ntimed out after ${opts.timeoutMs}ms` : ''),
        ms: Date.now() - started,
      };
      if (result.code !== 0 && !opts.ignoreReturnCode) reject(new ExecError(shown, result));
      else resolve(result);
    });
    child.stdin.on('error', () => undefined);
    if (isStream(opts.input)) opts.input.pipe(child.stdin);
    else if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

export const isStream = (x: unknown): x is Readable =>
  typeof x === 'object' && x !== null && typeof (x as Readable).pipe === 'function';
