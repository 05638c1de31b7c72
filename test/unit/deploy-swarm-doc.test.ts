/** From a prepared compose document to a Swarm stack file, and the SSH helpers (quoting, host keys). */
import { describe, expect, it } from '@jest/globals';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger } from '../../src/core/log.js';
import { edgeScriptFile, edgeScriptHash, toSwarmDocument } from '../../src/core/deploy/swarm-doc.js';
import { ensureEdgeScript } from '../../src/core/deploy/driver-swarm.js';
import { EDGE_SCRIPT } from '../../src/core/deploy/edge-proxy.js';
import { LocalTarget } from '../../src/core/deploy/target-local.js';
import { shellQuote } from '../../src/core/deploy/target.js';
import { decideHostKey, fingerprint, knownKeys } from '../../src/core/deploy/host-key.js';
import { parseSshTarget } from '../../src/core/deploy/target-ssh.js';

type M = Record<string, Record<string, unknown>>;
const doc = {
  name: 'erp',
  services: {
    api: {
      image: 'erp/api:v2',
      ports: ['127.0.0.1:8000:8000'],
      depends_on: { redis: { condition: 'service_healthy' } },
      restart: 'unless-stopped',
      container_name: 'api',
      mem_limit: '1g',
      healthcheck: { test: ['CMD', 'true'], interval: '1s', start_interval: '1s' },
    },
    redis: { image: 'erp/redis:1', volumes: ['redis-data:/data'] },
  },
  volumes: { 'redis-data': {} },
  networks: { backend: { driver: 'bridge' } },
  secrets: { redis_password: { file: '/s/redis_password' } },
};
const ctx = (routing: string) => ({
  project: 'erp-prod',
  secrets: [{ name: 'redis_password', path: '/s/redis_password', hash: 'abcdef123456' }],
  logger: new MemoryLogger(),
  stateRoot: '/state/erp-prod',
  facts: { routing },
  vars: { PYTHON_IMAGE: 'erp-deploy/python:offline' },
});

describe('toSwarmDocument', () => {
  it('rolls stateless services start-first and services with volumes stop-first, both with automatic rollback', () => {
    const s = toSwarmDocument(doc, ctx('ingress')).services as M;
    expect((s.api.deploy as M).update_config).toMatchObject({
      order: 'start-first',
      failure_action: 'rollback',
    });
    expect((s.redis.deploy as M).update_config).toMatchObject({
      order: 'stop-first',
      failure_action: 'rollback',
    });
  });

  it('drops what Swarm rejects (format 3.8), warns about what it ignores, makes networks overlay', () => {
    const c = ctx('ingress');
    const out = toSwarmDocument(doc, c);
    const api = (out.services as M).api;
    expect(out.version).toBe('3.8');
    expect(out.name).toBeUndefined();
    for (const k of ['depends_on', 'restart', 'container_name', 'mem_limit']) expect(api[k]).toBeUndefined();
    expect(api.healthcheck).toEqual({ test: ['CMD', 'true'], interval: '1s' });
    expect(c.logger.text()).toMatch(/api: ignoring keys Swarm does not support: mem_limit/);
    expect(out.networks).toEqual({ backend: { driver: 'overlay' } });
  });

  it('ingress routing publishes on the mesh; secrets carry a hash of their value in their name', () => {
    const out = toSwarmDocument(doc, ctx('ingress'));
    expect((out.services as M).api.ports).toEqual([
      { target: 8000, published: 8000, protocol: 'tcp', mode: 'ingress' },
    ]);
    expect((out.secrets as M).redis_password).toEqual({
      file: '/s/redis_password',
      name: 'erp-prod_redis_password_abcdef123456',
    });
  });

  it('edge routing (no IPVS): dnsrr everywhere, an api-edge proxy holds the port in host mode', () => {
    const out = toSwarmDocument(doc, ctx('edge'));
    const s = out.services as M;
    expect(s.api.ports).toBeUndefined();
    expect((s.api.deploy as M).endpoint_mode).toBe('dnsrr');
    expect(s['api-edge']).toMatchObject({
      image: 'erp-deploy/python:offline',
      environment: { EDGE_ROUTES: '8000=tasks.api:8000' },
      ports: [{ target: 8000, published: 8000, protocol: 'tcp', mode: 'host' }],
    });
    expect((out.configs as M).erp_edge_proxy.file).toBe(`/state/erp-prod/edge-proxy-${edgeScriptHash()}.py`);
  });

  it('names the edge script file by the same hash as its immutable config', () => {
    const config = (toSwarmDocument(doc, ctx('edge')).configs as M).erp_edge_proxy;
    const hash = String(config.name).replace('erp-prod_edge_', '');
    expect(hash).toBe(createHash('sha256').update(EDGE_SCRIPT).digest('hex').slice(0, 12));
    expect(config.file).toBe(`/state/erp-prod/${edgeScriptFile(hash)}`);
    expect(edgeScriptFile('000000000000')).not.toBe(edgeScriptFile(hash));
  });
});

describe('ensureEdgeScript (a rollback across an erp-deploy upgrade)', () => {
  it("writes this version's file once and never touches another version's file", async () => {
    const root = mkdtempSync(join(tmpdir(), 'erpt-edge-'));
    try {
      const target = new LocalTarget();
      const old = join(root, edgeScriptFile('0123456789ab'));
      writeFileSync(old, '# the script an older erp-deploy deployed\n');
      const stack = toSwarmDocument(doc, { ...ctx('edge'), stateRoot: root });
      await ensureEdgeScript(target, root, stack);
      const mine = join(root, edgeScriptFile());
      expect(readFileSync(mine, 'utf8')).toBe(EDGE_SCRIPT);
      expect(readFileSync(old, 'utf8')).toBe('# the script an older erp-deploy deployed\n');
      // an older release's stack file names the older file: it is used as is, nothing new is written
      rmSync(mine);
      const older = {
        ...stack,
        configs: { erp_edge_proxy: { file: old, name: 'erp-prod_edge_0123456789ab' } },
      };
      await ensureEdgeScript(target, root, older);
      expect(readdirSync(root)).toEqual([edgeScriptFile('0123456789ab')]);
      // ingress routing uses no edge script at all
      await ensureEdgeScript(target, root, toSwarmDocument(doc, { ...ctx('ingress'), stateRoot: root }));
      expect(readdirSync(root)).toEqual([edgeScriptFile('0123456789ab')]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('SSH helpers', () => {
  it('quotes arguments for the remote shell', () => {
    expect(shellQuote('plain-arg_1.2/x')).toBe('plain-arg_1.2/x');
    expect(shellQuote("it's $HOME; rm")).toBe(`'it'\\''s $HOME; rm'`);
  });

  it('parses ssh:// targets and rejects others', () => {
    expect(parseSshTarget('ssh://deploy@example.com:2222')).toEqual({
      user: 'deploy',
      host: 'example.com',
      port: 2222,
    });
    expect(parseSshTarget('ssh://deploy@example.com').port).toBe(22);
    expect(() => parseSshTarget('deploy@example.com')).toThrow(/expected ssh:\/\/user@host\[:port\]/);
  });

  const key = Buffer.from('a host key blob');
  const b64 = key.toString('base64');
  it('finds a host in known_hosts, plain, with a port, and hashed', () => {
    const salt = Buffer.from('0123456789abcdef0123');
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[h2]:2222').digest('base64')}`;
    const text = `h1,other ssh-ed25519 ${b64}\n[h3]:2200 ssh-ed25519 ${b64}\n${hashed} ssh-ed25519 ${b64}\n`;
    expect(knownKeys(text, 'h1', 22)).toEqual([b64]);
    expect(knownKeys(text, 'h3', 2200)).toEqual([b64]);
    expect(knownKeys(text, 'h2', 2222)).toEqual([b64]);
    expect(knownKeys(text, 'h2', 22)).toBeUndefined();
  });

  it('pins by fingerprint, trusts on first use unless strict', () => {
    const fp = 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
    expect(fingerprint(key)).toBe(fp);
    const none = { ERP_DEPLOY_KNOWN_HOSTS: '/nonexistent' };
    expect(decideHostKey(key, 'h', 22, { ...none, ERP_DEPLOY_SSH_FINGERPRINT: fp }).accept).toBe(true);
    expect(decideHostKey(key, 'h', 22, { ...none, ERP_DEPLOY_SSH_FINGERPRINT: 'SHA256:x' }).accept).toBe(
      false,
    );
    expect(decideHostKey(key, 'h', 22, none)).toMatchObject({
      accept: true,
      reason: expect.stringMatching(/first use/),
    });
    expect(decideHostKey(key, 'h', 22, { ...none, ERP_DEPLOY_SSH_STRICT: '1' }).accept).toBe(false);
  });
});
