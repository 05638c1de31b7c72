/** The build plan: shared images built once, upstream images skipped, dependencies, restriction, bad input. */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStack } from '../../src/core/stack/load.js';
import { planBuild, splitImage } from '../../src/core/images/plan.js';
import { InputError } from '../../src/core/errors.js';

const COMPOSE = `
services:
  base:
    build: { context: ./base, args: { DEBIAN_IMAGE: local/debian } }
    image: t/base:dev
  app:
    build: { context: ./app }
    image: t/app:dev
  app-worker: { image: t/app:dev }
  app-again:
    build: { context: ./app }
    image: t/app:dev
  tool: { build: ./tool }
  cache: { image: redis:7 }
`;

function project(compose = COMPOSE): string {
  const dir = mkdtempSync(join(tmpdir(), 'erpt-plan-'));
  for (const d of ['base', 'app', 'tool']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'base/Dockerfile'), 'ARG DEBIAN_IMAGE=debian:bookworm\nFROM ${DEBIAN_IMAGE}\n');
  writeFileSync(join(dir, 'app/Dockerfile'), 'ARG BASE=t/base:dev\nFROM ${BASE} AS run\nFROM run\n');
  writeFileSync(join(dir, 'tool/Dockerfile'), 'FROM t/base:dev\n');
  writeFileSync(join(dir, 'compose.yml'), compose);
  return dir;
}

const load = (dir: string) => loadStack([join(dir, 'compose.yml')], { env: {} });

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('planBuild', () => {
  it('builds a shared image once, lists its services, skips upstream images and orders by FROM', () => {
    const plan = planBuild(load(project()), { project: 'erp' });
    expect(plan.units.map((u) => [u.owner, u.repository, u.services])).toEqual([
      ['base', 't/base', ['base']],
      ['app', 't/app', ['app', 'app-again', 'app-worker']],
      ['tool', 'erp/tool', ['tool']],
    ]);
    expect(plan.units[0].bases).toEqual(['local/debian']);
    expect(plan.units[1].bases).toEqual(['t/base:dev']);
    expect(plan.units[1].dependsOn).toEqual(['base']);
    expect(plan.units[2].dependsOn).toEqual(['base']);
    expect(plan.skipped).toEqual([{ service: 'cache', image: 'redis:7' }]);
  });

  it('restricts to named services and keeps the images they build FROM', () => {
    const plan = planBuild(load(project()), { project: 'erp', services: ['app-worker', 'cache'] });
    expect(plan.units.map((u) => u.owner)).toEqual(['base', 'app']);
    expect(plan.skipped.map((s) => s.service)).toEqual(['cache']);
  });

  it('qualifies repositories with the registry and merges global build args under the service ones', () => {
    const plan = planBuild(load(project()), {
      project: 'erp',
      registry: { host: 'ghcr.io', namespace: 'org/erp' },
      buildArgs: { DEBIAN_IMAGE: 'ignored', EXTRA: '1' },
    });
    expect(plan.units[0].repository).toBe('ghcr.io/org/erp/base');
    expect(plan.units[0].build.args).toEqual({ DEBIAN_IMAGE: 'local/debian', EXTRA: '1' });
  });

  it('rejects unknown services listing the valid ones', () => {
    const e = inputError(() => planBuild(load(project()), { project: 'erp', services: ['app', 'nope'] }));
    expect(e.field).toBe('services');
    expect(e.message).toMatch(
      /unknown service "nope"; expected one of base, app, app-worker, app-again, tool, cache/,
    );
  });

  it('rejects a missing Dockerfile and an unreadable context, naming file and field', () => {
    const dir = project(
      COMPOSE.replace('build: ./tool', 'build: { context: ./tool, dockerfile: Nope.Dockerfile }'),
    );
    const e = inputError(() => planBuild(load(dir), { project: 'erp' }));
    expect(e.file).toBe(join(dir, 'compose.yml'));
    expect(e.field).toBe('services.tool.build.dockerfile');
    expect(e.message).toContain(`Dockerfile not found: ${join(dir, 'tool/Nope.Dockerfile')}`);

    const missing = project(COMPOSE.replace('build: ./tool', 'build: ./absent'));
    expect(inputError(() => planBuild(load(missing), { project: 'erp' })).field).toBe(
      'services.tool.build.context',
    );

    if (process.getuid?.() !== 0) {
      const locked = project();
      chmodSync(join(locked, 'tool'), 0o000);
      const err = inputError(() => planBuild(load(locked), { project: 'erp' }));
      chmodSync(join(locked, 'tool'), 0o755);
      expect(err.message).toMatch(/cannot be read \(EACCES\)/);
    }
  });

  it('rejects two different builds of one image name', () => {
    const dir = project(
      COMPOSE.replace(
        'app-again:\n    build: { context: ./app }',
        'app-again:\n    build: { context: ./tool }',
      ),
    );
    expect(inputError(() => planBuild(load(dir), { project: 'erp' })).message).toMatch(
      /builds image t\/app:dev differently/,
    );
  });
});

describe('splitImage', () => {
  it.each([
    ['erp/api:dev', { repository: 'erp/api', tag: 'dev' }],
    ['localhost:5000/erp/api', { repository: 'localhost:5000/erp/api' }],
    [
      'localhost:5000/erp/api:1@sha256:ab',
      { repository: 'localhost:5000/erp/api', tag: '1', digest: 'sha256:ab' },
    ],
  ])('%s', (image, parts) => expect(splitImage(image)).toEqual(expect.objectContaining(parts)));
});
