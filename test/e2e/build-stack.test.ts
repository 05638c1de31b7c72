/**
 * The real stack (compose/docker-compose.yml) built on the local engine through the bundled action: the api
 * image serves api, worker and flower; redis, prometheus and alertmanager are built; upstream images are
 * reported, not rebuilt; a second run builds nothing; the rendered compose file pins what was built.
 * Image names are moved under erpt-build/ through the compose variables.
 */
import { parse } from 'yaml';
import { docker } from '../helpers/docker.js';
import { offlineEnv, ROOT, runAction } from './build-harness.js';
import { loadConfig } from '../../src/core/config/load.js';
import { stackForEnvironment } from '../../src/core/stack/environment.js';
import { renderCompose } from '../../src/core/stack/render.js';

const NAMES = {
  ERP_API_IMAGE: 'erpt-build/api:e2e',
  ERP_REDIS_IMAGE: 'erpt-build/redis:e2e',
  ERP_PROMETHEUS_IMAGE: 'erpt-build/prometheus:e2e',
  ERP_ALERTMANAGER_IMAGE: 'erpt-build/alertmanager:e2e',
};
const BUILT = ['api', 'redis', 'prometheus', 'alertmanager'];

// jest ignores testTimeout inside a project entry of jest.config.js, so each test states its bound.
const TIMEOUT = 900_000;
describe('build-images on the real stack', () => {
  it(
    'builds every image once, shares the api image, skips upstream images; outputs match the engine',
    async () => {
      const r = await runAction(
        ROOT,
        { config: 'erp-deploy.yml', tags: 'e2e-{{sha7}}', concurrency: '2' },
        NAMES,
      );
      expect(r.stdout).not.toMatch(/::error/);
      expect(r.code).toBe(0);
      const images = r.images!;
      for (const s of BUILT) {
        const img = images[s];
        expect(['built', 'cached']).toContain(img.status);
        expect(img.image).toBe(`erpt-build/${s}`);
        expect(img.ref).toBe(`erpt-build/${s}:e2e-0123456`);
        expect(img.imageId).toBe(await docker('image', 'inspect', '--format', '{{.Id}}', img.ref));
        expect(img.imageId).toBe(
          await docker('image', 'inspect', '--format', '{{.Id}}', `erpt-build/${s}:e2e`),
        );
      }
      for (const s of ['worker', 'flower']) expect(images[s]).toEqual({ ...images.api, service: s });
      for (const [s, ref] of [
        ['node-exporter', 'erp-deploy/node-exporter:offline'],
        ['redis-exporter', 'erp-deploy/redis-exporter:offline'],
      ]) {
        expect(images[s].status).toBe('skipped');
        expect(images[s].imageId).toBe(await docker('image', 'inspect', '--format', '{{.Id}}', ref));
      }
      // Grafana cannot be pulled here: reported as skipped with no local id, never faked.
      expect(images.grafana).toMatchObject({ status: 'skipped', imageId: '' });
      // The api image runs the stack's Python code.
      const out = await docker(
        'run',
        '--rm',
        '--entrypoint',
        'python',
        images.api.ref,
        '-c',
        'import erp_api; print("ok")',
      );
      expect(out).toBe('ok');

      // What deploy-env ships: every service pinned to what was built, no build keys left.
      const config = loadConfig('erp-deploy.yml', ROOT);
      const model = stackForEnvironment(config, 'staging', { ...offlineEnv(), ...NAMES });
      const rendered = parse(renderCompose(model, images)) as {
        services: Record<string, { image: string; build?: unknown }>;
      };
      for (const s of ['api', 'worker', 'flower']) expect(rendered.services[s].image).toBe(images.api.ref);
      for (const s of BUILT) expect(rendered.services[s].build).toBeUndefined();
      expect(rendered.services.prometheus.image).toBe(images.prometheus.ref);
    },
    TIMEOUT,
  );

  it(
    'a second run builds nothing and needs no builder',
    async () => {
      const r = await runAction(ROOT, { config: 'erp-deploy.yml', tags: 'e2e-{{sha7}}' }, NAMES);
      expect(r.code).toBe(0);
      for (const s of BUILT) expect(r.images![s].status).toBe('cached');
      expect(r.stdout).toContain('builder: not needed, every image is cached');
    },
    TIMEOUT,
  );
});
