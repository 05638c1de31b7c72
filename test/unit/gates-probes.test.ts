/** Probe assertions and header secrets, without the network (the integration tests probe real servers). */
import { checkResponse, jsonAt, probeUrl, resolveHeaders } from '../../src/core/gates/probes.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { ProbeConfig } from '../../src/core/config/types.js';

const probe = (over: Partial<ProbeConfig> = {}): ProbeConfig => ({
  name: 'p',
  url: '/health/ready',
  method: 'GET',
  status: 200,
  headers: {},
  json: {},
  contains: '',
  timeout: '1s',
  retries: 0,
  ...over,
});

describe('probe assertions', () => {
  it.each<[Partial<ProbeConfig>, number, string, string | undefined]>([
    [{}, 200, 'ok', undefined],
    [{}, 503, 'ok', 'expected HTTP 200, got 503'],
    [{ status: 503 }, 503, '', undefined],
    [{ json: { status: 'ok' } }, 200, '{"status":"ok"}', undefined],
    [{ json: { 'checks.redis': true } }, 200, '{"checks":{"redis":true}}', undefined],
    [{ json: { 'items.0.id': 7 } }, 200, '{"items":[{"id":7}]}', undefined],
    [{ json: { status: 'ok' } }, 200, '{"status":"degraded"}', 'JSON status: expected "ok", got "degraded"'],
    [{ json: { status: 'ok' } }, 200, '<html>', 'expected a JSON body, got "<html>"'],
    [{ json: { 'a.b': 1 } }, 200, '{"a":null}', 'JSON a.b: expected 1, got undefined'],
    [{ contains: 'ready' }, 200, 'all ready', undefined],
    [{ contains: 'ready' }, 200, 'starting', 'body does not contain "ready"'],
  ])('%j with HTTP %s %j → %s', (over, status, body, want) => {
    expect(checkResponse(probe(over), status, body)).toBe(want);
  });

  it('joins relative URLs to the base and keeps absolute ones', () => {
    expect(probeUrl(probe(), 'http://h:1/')).toBe('http://h:1/health/ready');
    expect(probeUrl(probe({ url: 'health' }), 'http://h:1')).toBe('http://h:1/health');
    expect(probeUrl(probe({ url: 'https://x/y' }), 'http://h:1')).toBe('https://x/y');
    expect(jsonAt({ a: [1, 2] }, 'a.1')).toBe(2);
  });
});

describe('probe headers', () => {
  it('expands ${ENV}, masks expanded and sensitive values, registers them as secrets', () => {
    const log = new MemoryLogger();
    const h = resolveHeaders(
      {
        Authorization: 'Bearer ${TOKEN}',
        'X-Api-Key': 'k-123456',
        Accept: 'application/json',
        'X-Tenant': '${TENANT}',
      },
      { TOKEN: 't0ps3cret', TENANT: 'acme-ltd' },
      log,
    );
    expect(h.send).toEqual({
      Authorization: 'Bearer t0ps3cret',
      'X-Api-Key': 'k-123456',
      Accept: 'application/json',
      'X-Tenant': 'acme-ltd',
    });
    expect(h.shown).toEqual({
      Authorization: '***',
      'X-Api-Key': '***',
      Accept: 'application/json',
      'X-Tenant': '***',
    });
    log.info('sent Bearer t0ps3cret k-123456 acme-ltd');
    expect(log.text()).toBe('info: sent *** *** ***');
  });
  it('a missing variable is an error, not an empty header', () => {
    expect(() => resolveHeaders({ Authorization: 'Bearer ${NOPE}' }, {}, new MemoryLogger())).toThrow(
      'header Authorization: environment variable NOPE is not set',
    );
  });
});
