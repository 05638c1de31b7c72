/** Shared by the gates unit tests: a gate with test defaults and a provider answering from a script. */
import type { FakeClock } from '../../src/core/gates/clock.js';
import { ProviderError, type QueryOptions, type QueryProvider } from '../../src/core/gates/prometheus.js';
import type { GateSpec, Sample } from '../../src/core/gates/types.js';

export function gate(over: Partial<GateSpec> = {}): GateSpec {
  return {
    name: 'g',
    description: '',
    query: 'q',
    intervalMs: 10_000,
    count: 3,
    initialDelayMs: 0,
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    errorRetryIntervalMs: 2_000,
    timeoutMs: 1_000,
    noData: 'fail',
    nonFinite: 'error',
    multiple: false,
    ...over,
  };
}

export type Answer = number | 'empty' | 'error' | 'many' | Sample[];

/** Answers in order (the last one repeats); records every call. */
export class ScriptedProvider implements QueryProvider {
  readonly name = 'scripted';
  readonly calls: { query: string; opts: QueryOptions; at: number }[] = [];
  constructor(
    private readonly answers: Answer[],
    private readonly clock: FakeClock,
  ) {}
  async query(query: string, opts: QueryOptions): Promise<Sample[]> {
    const a = this.answers[Math.min(this.calls.length, this.answers.length - 1)];
    this.calls.push({ query, opts, at: this.clock.now() });
    if (a === 'error') throw new ProviderError('Prometheus answered HTTP 503: down');
    if (a === 'empty') return [];
    if (a === 'many')
      return [
        { labels: { i: 'a' }, value: 1 },
        { labels: { i: 'b' }, value: 1 },
      ];
    if (Array.isArray(a)) return a;
    return [{ labels: {}, value: a }];
  }
}
