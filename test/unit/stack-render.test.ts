/** Rendering the stack for a target, and the environment's stack from the project configuration. */
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadStack } from '../../src/core/stack/load.js';
import { renderCompose } from '../../src/core/stack/render.js';
import { stackForEnvironment } from '../../src/core/stack/environment.js';
import { parseConfig } from '../../src/core/config/load.js';
import type { BuiltImage } from '../../src/core/images/types.js';

const COMPOSE = `
services:
  api:
    build: { context: ./api, args: { PYTHON_IMAGE: "\${PYTHON_IMAGE:-python:3.11}" } }
    image: \${ERP_API_IMAGE:-erp/api:dev}
    environment: { PRICE: "5$$" }
    ports: ["127.0.0.1:\${ERP_API_PORT:-18000}:8000"]
  worker: { image: "\${ERP_API_IMAGE:-erp/api:dev}", command: celery worker }
  flower: { image: "\${ERP_API_IMAGE:-erp/api:dev}", command: celery flower }
  exporter: { image: "\${NODE_EXPORTER_IMAGE:-prom/node-exporter:v1.8.2}" }
`;

function built(service: string, ref: string): BuiltImage {
  const [image, tag] = ref.split(':');
  return {
    service,
    image,
    tag,
    tags: [tag],
    digest: '',
    imageId: 'sha256:1',
    ref,
    sizeBytes: 1,
    status: 'built',
    seconds: 1,
  };
}

function project(extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'erpt-render-'));
  mkdirSync(join(dir, 'compose'));
  writeFileSync(join(dir, 'compose/docker-compose.yml'), COMPOSE);
  writeFileSync(join(dir, 'compose/staging.yml'), 'services:\n  api:\n    environment: { STAGE: "1" }\n');
  writeFileSync(
    join(dir, 'vars.env'),
    '# offline\nexport PYTHON_IMAGE=local/python:offline\nERP_API_PORT="18001"\n',
  );
  writeFileSync(
    join(dir, 'erp-deploy.yml'),
    `version: 1\ncompose:\n  files: [compose/docker-compose.yml]\n  envFiles: [vars.env]\nenvironments:\n  staging:\n    overlays: [compose/staging.yml]\n    env: { ERP_API_PORT: "18002" }\n${extra}`,
  );
  return dir;
}

describe('renderCompose', () => {
  it('pins built refs, gives sharing services the api ref, drops build and re-escapes $', () => {
    const dir = project();
    const model = loadStack([join(dir, 'compose/docker-compose.yml')], { env: {} });
    const text = renderCompose(model, { api: built('api', 'erp/api:sha-abc1234') });
    const doc = parse(text);
    expect(doc.services.api.image).toBe('erp/api:sha-abc1234');
    expect(doc.services.api.build).toBeUndefined();
    expect(doc.services.worker.image).toBe('erp/api:sha-abc1234');
    expect(doc.services.flower.image).toBe('erp/api:sha-abc1234');
    expect(doc.services.exporter.image).toBe('prom/node-exporter:v1.8.2');
    expect(doc.services.api.environment.PRICE).toBe('5$$');
    // The rendered file loads again to the same values.
    writeFileSync(join(dir, 'rendered.yml'), text);
    const again = loadStack([join(dir, 'rendered.yml')], { env: {} });
    expect(again.services.api.raw.environment).toEqual({ PRICE: '5$' });
  });

  it('refuses to render a service built from source with no image map entry and no image name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'erpt-render-'));
    writeFileSync(join(dir, 'c.yml'), 'services:\n  a: { build: . }\n');
    expect(() => renderCompose(loadStack([join(dir, 'c.yml')], { env: {} }), {})).toThrow(/no entry for it/);
  });
});

describe('renderCompose absolutePaths', () => {
  it('resolves relative bind mounts, env files and secret files against the project directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'erpt-render-'));
    writeFileSync(
      join(dir, 'c.yml'),
      [
        "version: '3.8'",
        'services:',
        '  a:',
        '    image: a',
        '    env_file: ./a.env',
        '    volumes: ["./conf:/etc/conf:ro", "data:/data", "/abs:/abs", { type: bind, source: ../up, target: /up }]',
        'secrets:',
        '  s: { file: ./secrets/s }',
        'volumes: { data: {} }',
      ].join('\n'),
    );
    const model = loadStack([join(dir, 'c.yml')], { env: {} });
    const kept = parse(renderCompose(model, {}));
    expect(kept.version).toBe('3.8');
    expect(kept.services.a.volumes[0]).toBe('./conf:/etc/conf:ro');
    const abs = parse(renderCompose(model, {}, { absolutePaths: true }));
    expect(abs.services.a.volumes).toEqual([
      `${dir}/conf:/etc/conf:ro`,
      'data:/data',
      '/abs:/abs',
      { type: 'bind', source: join(dir, '../up'), target: '/up' },
    ]);
    expect(abs.services.a.env_file).toEqual([join(dir, 'a.env')]);
    expect(abs.secrets.s.file).toBe(join(dir, 'secrets/s'));
  });
});

describe('stackForEnvironment', () => {
  it('merges overlays and takes variables from env files < environment env < process env', () => {
    const dir = project();
    const config = parseConfig(
      readFileSync(join(dir, 'erp-deploy.yml'), 'utf8'),
      join(dir, 'erp-deploy.yml'),
    );
    const staging = stackForEnvironment(config, 'staging', {});
    expect(staging.services.api.build?.args.PYTHON_IMAGE).toBe('local/python:offline');
    expect(staging.services.api.raw.ports).toEqual(['127.0.0.1:18002:8000']);
    expect(staging.services.api.raw.environment).toEqual({ PRICE: '5$', STAGE: '1' });
    const moved = stackForEnvironment(config, 'staging', { ERP_API_PORT: '28000' });
    expect(moved.services.api.raw.ports).toEqual(['127.0.0.1:28000:8000']);
    const base = stackForEnvironment(config, undefined, {});
    expect(base.services.api.raw.ports).toEqual(['127.0.0.1:18001:8000']);
    expect(() => stackForEnvironment(config, 'nope', {})).toThrow(/unknown environment "nope"/);
  });
});
