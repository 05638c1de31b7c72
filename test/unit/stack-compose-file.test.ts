/** The stack's compose files follow the contract: health, limits, Swarm deploy settings, networks, docs. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONTRACT_SERVICES } from '../helpers/stack-services.js';

type Json = Record<string, unknown>;
const ROOT = process.cwd();
const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');
const COMPOSE_FILES = [
  'compose/docker-compose.yml',
  'compose/docker-compose.staging.yml',
  'compose/docker-compose.production.yml',
];
const base = parse(read('compose/docker-compose.yml'), { merge: true }) as Json;
const services = base.services as Record<string, Json>;
const CONTRACT = CONTRACT_SERVICES;

describe('compose/docker-compose.yml', () => {
  it('defines the contract services and no top-level name (docker-compose v1 rejects it)', () => {
    expect(Object.keys(services).sort()).toEqual([...CONTRACT].sort());
    expect(base.version).toBe('3.8');
    expect(base).not.toHaveProperty('name');
  });

  it.each(CONTRACT)('%s has a healthcheck, limits, logging rotation and Swarm deploy settings', (name) => {
    const s = services[name];
    expect((s.healthcheck as Json).test).toBeDefined();
    const deploy = s.deploy as Json;
    expect((deploy.resources as Json).limits).toMatchObject({
      cpus: expect.any(String),
      memory: expect.any(String),
    });
    expect(deploy.restart_policy).toMatchObject({ condition: 'on-failure' });
    expect(deploy.update_config).toMatchObject({ failure_action: 'rollback' });
    expect(deploy.rollback_config).toBeDefined();
    expect(s.logging).toMatchObject({ driver: 'json-file' });
    expect(s.cap_drop).toEqual(['ALL']);
    expect(s.user === undefined || !/^(root|0)(:|$)/.test(String(s.user))).toBe(true);
  });

  it('updates the API start-first (zero downtime) and stateful services stop-first', () => {
    expect((services.api.deploy as Json).update_config).toMatchObject({ order: 'start-first' });
    expect((services.api.deploy as Json).rollback_config).toMatchObject({ order: 'start-first' });
    for (const name of ['redis', 'prometheus', 'alertmanager']) {
      expect((services[name].deploy as Json).update_config).toMatchObject({ order: 'stop-first' });
    }
  });

  it('waits for healthy dependencies only', () => {
    for (const s of Object.values(services)) {
      for (const dep of Object.values((s.depends_on ?? {}) as Record<string, Json>)) {
        expect(dep).toEqual({ condition: 'service_healthy' });
      }
    }
    expect(Object.keys(services.api.depends_on as Json)).toEqual(['redis']);
  });

  it('separates public, backend and monitoring networks; backend and monitoring are internal', () => {
    const nets = base.networks as Record<string, Json>;
    expect(Object.keys(nets).sort()).toEqual(['backend', 'monitoring', 'public']);
    expect(nets.backend.internal).toBe(true);
    expect(nets.monitoring.internal).toBe(true);
    expect(services.redis.networks).toEqual(['backend']);
    expect(services.worker.networks).not.toContain('public');
  });

  it('keeps Redis, Prometheus, Alertmanager and Grafana data in named volumes', () => {
    expect(Object.keys(base.volumes as Json).sort()).toEqual(
      ['alertmanager-data', 'grafana-data', 'prometheus-data', 'redis-data'].sort(),
    );
    expect(services.redis.volumes).toContain('redis-data:/data');
    expect(services.prometheus.volumes).toContain('prometheus-data:/prometheus');
  });

  it('reads secrets from files in ERP_SECRETS_DIR and puts Grafana behind its profile', () => {
    const secrets = base.secrets as Record<string, Json>;
    expect(Object.keys(secrets).sort()).toEqual([
      'flower_basic_auth',
      'grafana_admin_password',
      'redis_password',
    ]);
    for (const [name, s] of Object.entries(secrets))
      expect(s.file).toBe(`\${ERP_SECRETS_DIR:-./secrets}/${name}`);
    expect(services.grafana.profiles).toEqual(['grafana']);
    expect((services.grafana.environment as Json).GF_SECURITY_ADMIN_PASSWORD__FILE).toBe(
      '/run/secrets/grafana_admin_password',
    );
  });

  it('keeps Prometheus retention at 15 days by default', () => {
    expect(services.prometheus.command).toContain(
      '--storage.tsdb.retention.time=${ERP_PROMETHEUS_RETENTION:-15d}',
    );
  });

  it('overlays publish every port on 127.0.0.1 through the contract variables', () => {
    for (const [file, api] of [
      ['compose/docker-compose.staging.yml', '18000'],
      ['compose/docker-compose.production.yml', '8000'],
    ]) {
      const overlay = parse(read(file)) as { services: Record<string, Json> };
      for (const s of Object.values(overlay.services)) {
        for (const p of (s.ports ?? []) as string[])
          expect(p).toMatch(/^127\.0\.0\.1:\$\{ERP_[A-Z]+_PORT:-\d+\}:\d+$/);
      }
      expect(overlay.services.api.ports).toEqual([`127.0.0.1:\${ERP_API_PORT:-${api}}:8000`]);
    }
  });
});

describe('docs/docker-setup.md', () => {
  const doc = read('docs/docker-setup.md');

  it('documents every variable the compose files read', () => {
    const vars = new Set(
      COMPOSE_FILES.flatMap((f) => [...read(f).matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1])),
    );
    expect(vars.size).toBeGreaterThan(20);
    expect([...vars].filter((v) => !doc.includes(`\`${v}\``))).toEqual([]);
  });

  it('documents every variable the API image reads', () => {
    const dir = join(ROOT, 'compose/api/erp_api');
    const sources = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.py'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    const vars = new Set(
      [...sources.matchAll(/["']((?:ERP|REDIS|FLOWER|PROMETHEUS)_[A-Z0-9_]+)["']/g)].map((m) => m[1]),
    );
    expect(vars.size).toBeGreaterThan(15);
    expect([...vars].filter((v) => !doc.includes(`\`${v}\``))).toEqual([]);
  });
});
