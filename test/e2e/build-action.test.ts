/**
 * build-images through the bundled action on the real engine, on the fixture stack (two images built FROM a
 * shared base, a service sharing an image, an upstream one): outputs match `docker image inspect`, an
 * unchanged image is cached without a build, a changed one is rebuilt and nothing else is.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker } from '../helpers/docker.js';
import { fixtureCopy, runAction } from './build-harness.js';

const KEY_LABEL = 'org.erp-deploy.content-key';

async function inspect(
  ref: string,
): Promise<{ Id: string; Size: number; Config: { Labels: Record<string, string> } }> {
  return JSON.parse(await docker('image', 'inspect', '--format', '{{json .}}', ref));
}

// jest ignores testTimeout inside a project entry of jest.config.js, so each test states its bound.
const TIMEOUT = 300_000;
describe('build-images action on the fixture stack', () => {
  const dir = fixtureCopy();

  it(
    'builds every buildable service, shares images, skips upstream ones; outputs match the engine',
    async () => {
      const r = await runAction(dir, {
        config: 'erp-deploy.yml',
        tags: 'sha-{{sha7}}\n{{branch}}',
        concurrency: '2',
      });
      expect(r.stderr + r.stdout).not.toMatch(/::error/);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/builder: ((buildx|buildkit|legacy) \(|not needed, every image is cached)/);
      const images = r.images!;
      expect(Object.keys(images).sort()).toEqual(['app', 'app-worker', 'base', 'cache', 'tool']);
      for (const s of ['base', 'app', 'tool']) {
        const img = images[s];
        expect(['built', 'cached']).toContain(img.status);
        expect(img.ref).toBe(`erpt-build/${s}:sha-0123456`);
        expect(img.tags).toEqual(['sha-0123456', 'feature-e2e', 'dev']);
        const facts = await inspect(img.ref);
        expect(img.imageId).toBe(facts.Id);
        expect(img.sizeBytes).toBe(facts.Size);
        expect(facts.Config.Labels[KEY_LABEL]).toBe(img.contentKey);
        expect(facts.Config.Labels['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}$/);
        expect((await inspect(`erpt-build/${s}:feature-e2e`)).Id).toBe(facts.Id);
        expect((await inspect(`erpt-build/${s}:dev`)).Id).toBe(facts.Id);
      }
      expect(images['app-worker']).toEqual({ ...images.app, service: 'app-worker' });
      expect(images.cache.status).toBe('skipped');
      expect(images.cache.imageId).toBe((await inspect('erp-deploy/redis:offline')).Id);
      expect(r.summary).toContain('| app-worker |');
      expect(r.outputs.summary).toContain('| service | status | ref |');
      // The shared base was built before the images FROM it (one plan line, base first).
      expect(r.stdout).toMatch(
        /plan: erpt-build\/base \(base\); erpt-build\/app \(app, app-worker\); erpt-build\/tool \(tool\); upstream, not rebuilt: cache/,
      );
    },
    TIMEOUT,
  );

  it(
    'a second run builds nothing: every image cached by its content key, ids unchanged',
    async () => {
      const before = await inspect('erpt-build/app:dev');
      const base = await inspect('erpt-build/base:dev');
      // An image built FROM ours elsewhere inherits its content-key label: it must never pass for ours.
      writeFileSync(join(dir, 'child.Dockerfile'), 'FROM erpt-build/base:dev\nLABEL erpt.child=1\n');
      await docker('build', '-q', '-t', 'erpt-build/child:e2e', '-f', join(dir, 'child.Dockerfile'), dir);
      const r = await runAction(dir, { config: 'erp-deploy.yml' });
      expect(r.code).toBe(0);
      for (const s of ['base', 'app', 'tool']) expect(r.images![s].status).toBe('cached');
      expect(r.images!.base.imageId).toBe(base.Id);
      expect(r.stdout).not.toMatch(/building with/);
      expect(r.stdout).toContain('builder: not needed, every image is cached');
      expect(r.images!.app.imageId).toBe(before.Id);
      // `created` is only set on real builds, so a cached image keeps its id.
      expect(before.Config.Labels['org.opencontainers.image.created']).toBeDefined();
    },
    TIMEOUT,
  );

  it(
    'a one-line change rebuilds that image (and its sharers) only',
    async () => {
      const before = await inspect('erpt-build/app:dev');
      const tool = await inspect('erpt-build/tool:dev');
      appendFileSync(join(dir, 'app/run.sh'), `# change ${Date.now()}-${process.pid}\n`);
      // An ignored file changes nothing.
      appendFileSync(join(dir, 'tool/ignored.log'), 'x\n');
      const r = await runAction(dir, { config: 'erp-deploy.yml' });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/builder: (buildx|buildkit|legacy) \(/);
      expect(r.images!.app.status).toBe('built');
      expect(r.images!['app-worker'].status).toBe('built');
      expect(r.images!.base.status).toBe('cached');
      expect(r.images!.tool.status).toBe('cached');
      expect(r.images!.app.imageId).not.toBe(before.Id);
      expect((await inspect('erpt-build/app:dev')).Id).toBe(r.images!.app.imageId);
      expect((await inspect('erpt-build/tool:dev')).Id).toBe(tool.Id);
      expect(r.images!.tool.imageId).toBe(tool.Id);
    },
    TIMEOUT,
  );

  it(
    'builds only the services asked for, with the images they build FROM',
    async () => {
      const r = await runAction(dir, { config: 'erp-deploy.yml', services: 'app-worker' });
      expect(r.code).toBe(0);
      expect(Object.keys(r.images!).sort()).toEqual(['app', 'app-worker', 'base']);
    },
    TIMEOUT,
  );
});
