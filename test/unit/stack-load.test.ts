/** The compose model: parse errors with lines, Compose's merge rules, interpolation, build paths, validation. */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStack } from '../../src/core/stack/load.js';
import { InputError } from '../../src/core/errors.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'erpt-stack-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

const BASE = `
services:
  api:
    build:
      context: ./api
      args: [PYTHON_IMAGE=python:3.11]
    image: \${ERP_API_IMAGE:-erp/api:dev}
    command: ["uvicorn", "app:app"]
    environment:
      A: "1"
      B: "2"
    ports: ["\${ERP_API_PORT:-18000}:8000"]
    volumes: ["data:/data", "./conf:/etc/conf:ro"]
    depends_on: [redis]
    healthcheck: { test: ["CMD", "true"], interval: 5s }
  worker:
    image: \${ERP_API_IMAGE:-erp/api:dev}
    command: celery -A app worker
    depends_on:
      redis: { condition: service_healthy }
  redis:
    build: ./redis
volumes:
  data: {}
`;

const OVERLAY = `
services:
  api:
    command: ["gunicorn"]
    environment: ["B=3", "C=4"]
    ports: ["127.0.0.1:8000:8000", "9100:9100"]
    volumes: ["other:/data"]
    healthcheck: { test: ["CMD", "false"] }
    build: { args: { EXTRA: "x" }, target: prod }
  worker:
    depends_on: [api]
volumes:
  other: { driver: local }
`;

describe('loadStack', () => {
  it('merges an overlay with Compose rules and resolves build paths against the project directory', () => {
    const dir = tree({ 'c/base.yml': BASE, 'c/over.yml': OVERLAY });
    const m = loadStack(['c/base.yml', 'c/over.yml'], { env: {}, cwd: dir });
    const api = m.services.api;
    expect(api.image).toBe('erp/api:dev');
    expect(api.build).toEqual({
      context: join(dir, 'c/api'),
      dockerfile: join(dir, 'c/api/Dockerfile'),
      args: { PYTHON_IMAGE: 'python:3.11', EXTRA: 'x' },
      target: 'prod',
    });
    expect(api.raw.command).toEqual(['gunicorn']);
    expect(api.raw.environment).toEqual({ A: '1', B: '3', C: '4' });
    expect(api.raw.ports).toEqual(['127.0.0.1:8000:8000', '9100:9100']);
    expect(api.raw.volumes).toEqual(['other:/data', './conf:/etc/conf:ro']);
    expect(api.raw.healthcheck).toEqual({ test: ['CMD', 'false'], interval: '5s' });
    expect(api.hasHealthcheck).toBe(true);
    expect(m.services.worker.dependsOn.sort()).toEqual(['api', 'redis']);
    expect(m.services.worker.raw.depends_on).toEqual({
      redis: { condition: 'service_healthy' },
      api: { condition: 'service_started' },
    });
    expect(m.services.redis.build?.dockerfile).toBe(join(dir, 'c/redis/Dockerfile'));
    expect(m.services.api.file).toBe(join(dir, 'c/over.yml'));
    expect(m.services.redis.file).toBe(join(dir, 'c/base.yml'));
    expect(m.document.volumes).toEqual({ data: {}, other: { driver: 'local' } });
    expect(m.projectDir).toBe(join(dir, 'c'));
  });

  it('interpolates from the given env and reports unset variables', () => {
    const dir = tree({
      'a.yml':
        'services:\n  x:\n    image: "${IMG}:${TAG-latest}"\n    environment: { P: "$$HOME", Q: "${NOPE}" }\n',
    });
    const m = loadStack(['a.yml'], { env: { IMG: 'r/x', TAG: '' }, cwd: dir });
    expect(m.services.x.image).toBe('r/x:');
    expect(m.services.x.raw.environment).toEqual({ P: '$HOME', Q: '' });
    expect(m.unsetVariables).toEqual(['NOPE']);
  });

  it('names file, field, line and variable when a required variable is missing', () => {
    const dir = tree({
      'a.yml': 'services:\n  x:\n    image: foo\n    ports:\n      - "${PORT:?set the port}:80"\n',
    });
    const e = inputError(() => loadStack(['a.yml'], { env: {}, cwd: dir }));
    expect(e.file).toBe(join(dir, 'a.yml'));
    expect(e.field).toBe('services.x.ports.0');
    expect(e.line).toBe(5);
    expect(e.message).toContain('required variable PORT is missing: set the port');
  });

  it('rejects YAML that does not parse, naming file and line', () => {
    const dir = tree({ 'bad.yml': 'services:\n  x:\n    image: [oops\n  y: 1\n' });
    const e = inputError(() => loadStack(['bad.yml'], { env: {}, cwd: dir }));
    expect(e.file).toBe(join(dir, 'bad.yml'));
    expect(e.message).toMatch(/not valid YAML/);
    expect(e.line).toBeGreaterThan(0);
  });

  it('rejects a missing file, a service with neither build nor image, unknown depends_on and cycles', () => {
    const dir = tree({
      'none.yml': 'services:\n  ok: { image: a }\n  empty:\n    environment: { A: 1 }\n',
      'dep.yml': 'services:\n  a: { image: a, depends_on: [ghost] }\n',
      'cyc.yml': 'services:\n  a: { image: a, depends_on: [b] }\n  b: { image: b, depends_on: [a] }\n',
    });
    expect(inputError(() => loadStack(['missing.yml'], { env: {}, cwd: dir })).message).toMatch(/not found/);
    const none = inputError(() => loadStack(['none.yml'], { env: {}, cwd: dir }));
    expect(none.field).toBe('services.empty');
    expect(none.line).toBe(3);
    expect(none.message).toMatch(/neither build nor image/);
    expect(inputError(() => loadStack(['dep.yml'], { env: {}, cwd: dir })).message).toMatch(
      /unknown service "ghost"/,
    );
    expect(inputError(() => loadStack(['cyc.yml'], { env: {}, cwd: dir })).message).toMatch(
      /cycle: a → b → a/,
    );
  });
});
