/**
 * HTTP probes: every probe concurrently, each with its own timeout and retries with exponential backoff. A probe
 * passes when the status, every JSON field and the expected text match. Header values are secrets when they come
 * from ${ENV} references or sit under a sensitive name (Authorization, Cookie, *token*, *key*): they are registered
 * with the logger and shown as *** in results.
 */
import { parseDuration } from '../duration.js';
import type { ProbeConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { Clock } from './clock.js';

export interface ProbeAttempt {
  status?: number;
  ms: number;
  error?: string;
}

export interface ProbeResult {
  name: string;
  method: string;
  url: string;
  ok: boolean;
  status?: number;
  /** Duration of the last attempt. */
  ms: number;
  /** Wall time from the first attempt to the verdict, backoff included. */
  totalMs: number;
  attempts: ProbeAttempt[];
  /** Why it failed (the last attempt), empty when ok. */
  message: string;
  /** Headers as sent, secret values masked. */
  headers: Record<string, string>;
}

const SENSITIVE = /^(authorization|proxy-authorization|cookie|x-api-key)$|token|secret|key|password/i;

/** Expand ${NAME} from the environment; a missing variable is an error, not an empty header. */
export function resolveHeaders(
  headers: Record<string, string>,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): { send: Record<string, string>; shown: Record<string, string> } {
  const send: Record<string, string> = {};
  const shown: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    let secret = SENSITIVE.test(name);
    const value = raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, v: string) => {
      const val = env[v];
      if (val === undefined) throw new Error(`header ${name}: environment variable ${v} is not set`);
      secret = true;
      logger.secret(val);
      return val;
    });
    if (secret) logger.secret(value);
    send[name] = value;
    shown[name] = secret ? '***' : value;
  }
  return { send, shown };
}

/** The value at a dotted path (items.0.id) of a JSON document. */
export function jsonAt(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Why a response does not match the probe, or undefined when it does. */
export function checkResponse(probe: ProbeConfig, status: number, body: string): string | undefined {
  if (status !== probe.status) return `expected HTTP ${probe.status}, got ${status}`;
  const fields = Object.entries(probe.json);
  if (fields.length) {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      return `expected a JSON body, got "${body.slice(0, 60)}"`;
    }
    for (const [path, want] of fields) {
      const got = jsonAt(doc, path);
      if (String(got) !== String(want))
        return `JSON ${path}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
    }
  }
  if (probe.contains && !body.includes(probe.contains)) return `body does not contain "${probe.contains}"`;
  return undefined;
}

export function probeUrl(probe: ProbeConfig, baseUrl: string): string {
  if (/^https?:\/\//.test(probe.url)) return probe.url;
  return baseUrl.replace(/\/+$/, '') + '/' + probe.url.replace(/^\/+/, '');
}

export interface ProbeOptions {
  baseUrl: string;
  logger: Logger;
  clock: Clock;
  env?: NodeJS.ProcessEnv;
  /** First retry waits this long, then doubles (default 500 ms, at most 8 s). */
  backoffMs?: number;
  signal?: AbortSignal;
}

export async function runProbe(probe: ProbeConfig, opts: ProbeOptions): Promise<ProbeResult> {
  const url = probeUrl(probe, opts.baseUrl);
  const timeoutMs = parseDuration(probe.timeout) ?? 5000;
  const started = opts.clock.now();
  const attempts: ProbeAttempt[] = [];
  let headers: ReturnType<typeof resolveHeaders>;
  const result = (ok: boolean, message: string, shown: Record<string, string>): ProbeResult => ({
    name: probe.name,
    method: probe.method,
    url,
    ok,
    status: attempts.at(-1)?.status,
    ms: attempts.at(-1)?.ms ?? 0,
    totalMs: opts.clock.now() - started,
    attempts,
    message,
    headers: shown,
  });
  try {
    headers = resolveHeaders(probe.headers, opts.env ?? process.env, opts.logger);
  } catch (e) {
    return result(false, (e as Error).message, {});
  }
  let message = '';
  for (let i = 0; i <= probe.retries; i++) {
    if (i > 0) await opts.clock.sleep(Math.min(8000, (opts.backoffMs ?? 500) * 2 ** (i - 1)), opts.signal);
    const t0 = performance.now();
    try {
      const res = await fetch(url, {
        method: probe.method,
        headers: headers.send,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      const body = probe.method === 'HEAD' ? '' : await res.text();
      const ms = Math.round(performance.now() - t0);
      const why = checkResponse(probe, res.status, body);
      attempts.push({ status: res.status, ms, error: why });
      if (!why) return result(true, '', headers.shown);
      message = why;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      message =
        err.name === 'TimeoutError'
          ? `no answer within ${probe.timeout}`
          : `unreachable: ${err.cause?.code ?? err.message}`;
      attempts.push({ ms: Math.round(performance.now() - t0), error: message });
    }
    if (opts.signal?.aborted) break;
  }
  return result(false, `${message} (after ${attempts.length} attempt(s))`, headers.shown);
}

/** The result of a probe that had no answer by the run's deadline (its attempts never ended). */
export function probeUnfinished(
  probe: ProbeConfig,
  baseUrl: string,
  why: string,
  totalMs: number,
): ProbeResult {
  return {
    name: probe.name,
    method: probe.method,
    url: probeUrl(probe, baseUrl),
    ok: false,
    ms: 0,
    totalMs,
    attempts: [],
    message: why,
    headers: {},
  };
}

/** All probes at once; results in the probes' order. */
export function runProbes(probes: ProbeConfig[], opts: ProbeOptions): Promise<ProbeResult[]> {
  return Promise.all(probes.map((p) => runProbe(p, opts)));
}
