/**
 * The Prometheus provider: an instant query over the HTTP API (/api/v1/query). Every way it can go wrong —
 * unreachable, timeout, 4xx/5xx, non-JSON, an error status, an unexpected result type — is a ProviderError
 * whose message says which; the evaluator turns it into an Error measurement, never a pass.
 */
import type { Sample } from './types.js';

export interface QueryOptions {
  /** Evaluation time, ms since the epoch (default: Prometheus' now). */
  at?: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Anything that answers a query with samples (Prometheus, or a table in tests). */
export interface QueryProvider {
  readonly name: string;
  query(promql: string, opts: QueryOptions): Promise<Sample[]>;
}

export class ProviderError extends Error {
  override name = 'ProviderError';
}

/** Prometheus writes NaN, +Inf and -Inf as strings Number() does not all read. */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const v = Number(text);
  if (text.trim() === '' || (Number.isNaN(v) && text !== 'NaN'))
    throw new ProviderError(`not a sample value: "${text}"`);
  return v;
}

interface ApiAnswer {
  status?: string;
  error?: string;
  errorType?: string;
  data?: { resultType?: string; result?: unknown };
}

export function samplesOf(answer: ApiAnswer): Sample[] {
  if (answer.status !== 'success')
    throw new ProviderError(
      `Prometheus answered ${answer.errorType ?? 'an error'}: ${answer.error ?? 'no message'}`,
    );
  const { resultType, result } = answer.data ?? {};
  if (resultType === 'scalar' && Array.isArray(result))
    return [{ labels: {}, value: parseSampleValue(String(result[1])) }];
  if (resultType === 'vector' && Array.isArray(result)) {
    return (result as { metric?: Record<string, string>; value?: [number, string] }[]).map((s) => {
      if (!Array.isArray(s.value)) throw new ProviderError('a vector sample without a value');
      return { labels: s.metric ?? {}, value: parseSampleValue(s.value[1]) };
    });
  }
  throw new ProviderError(
    `expected an instant vector or a scalar, got ${resultType ?? 'nothing'} (use an instant query)`,
  );
}

export class PrometheusProvider implements QueryProvider {
  readonly name: string;
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {
    this.name = baseUrl;
  }

  async query(promql: string, opts: QueryOptions): Promise<Sample[]> {
    const url = new URL('api/v1/query', this.baseUrl.endsWith('/') ? this.baseUrl : this.baseUrl + '/');
    const body = new URLSearchParams({
      query: promql,
      timeout: `${Math.max(1, Math.floor(opts.timeoutMs / 1000))}s`,
    });
    if (opts.at !== undefined) body.set('time', (opts.at / 1000).toFixed(3));
    const signals = [AbortSignal.timeout(opts.timeoutMs), ...(opts.signal ? [opts.signal] : [])];
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          ...this.headers,
        },
        body,
        signal: AbortSignal.any(signals),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError')
        throw new ProviderError(`Prometheus at ${this.baseUrl} did not answer within ${opts.timeoutMs}ms`);
      if (err.name === 'AbortError') throw new ProviderError('query cancelled');
      throw new ProviderError(
        `Prometheus at ${this.baseUrl} is unreachable: ${err.cause?.code ?? err.cause?.message ?? err.message}`,
      );
    }
    const text = await res.text();
    let answer: ApiAnswer | undefined;
    try {
      answer = JSON.parse(text) as ApiAnswer;
    } catch {
      answer = undefined;
    }
    if (!res.ok) {
      const why = answer?.error
        ? `${answer.errorType ?? 'error'}: ${answer.error}`
        : text.slice(0, 120).trim() || res.statusText;
      throw new ProviderError(`Prometheus answered HTTP ${res.status}: ${why}`);
    }
    if (!answer || typeof answer !== 'object')
      throw new ProviderError(
        `Prometheus answered non-JSON (HTTP ${res.status}): ${text.slice(0, 80).trim()}`,
      );
    return samplesOf(answer);
  }
}
