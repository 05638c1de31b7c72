/** Build command lines per builder, cache flags per host, and the summary table. */
import { buildArgs, cacheFlags, type Builder, type BuildInvocation } from '../../src/core/images/builder.js';
import { imagesTable } from '../../src/core/images/summary.js';

const inv: BuildInvocation = {
  dockerfile: '/p/api/Dockerfile',
  context: '/p/api',
  tags: ['erp/api:sha-1a2b3c4', 'erp/api:dev'],
  labels: { 'org.erp-deploy.content-key': 'k' },
  args: { PYTHON_IMAGE: 'py' },
  target: 'run',
  iidFile: '/t/iid',
  metadataFile: '/t/meta.json',
  push: false,
  noCache: false,
  repository: 'ghcr.io/org/erp/api',
};
const builder = (kind: Builder['kind'], driver?: string): Builder => ({
  kind,
  client: 'docker',
  clientVersion: '28.0.0',
  driver,
  env: {},
});

describe('build command lines', () => {
  it('BuildKit client: plain progress, iidfile, tags, labels, args, target, context last', () => {
    expect(buildArgs(builder('buildkit'), inv)).toEqual([
      'build',
      '--progress=plain',
      '-f',
      '/p/api/Dockerfile',
      '--iidfile',
      '/t/iid',
      '--target',
      'run',
      '-t',
      'erp/api:sha-1a2b3c4',
      '-t',
      'erp/api:dev',
      '--label',
      'org.erp-deploy.content-key=k',
      '--build-arg',
      'PYTHON_IMAGE=py',
      '/p/api',
    ]);
  });

  it('legacy: no progress flag; --no-cache on cold builds', () => {
    const args = buildArgs(builder('legacy'), { ...inv, noCache: true });
    expect(args.slice(0, 2)).toEqual(['build', '-f']);
    expect(args).toContain('--no-cache');
  });

  it('buildx: metadata file, --load or --push, and the cache the host offers', () => {
    const local = buildArgs(builder('buildx', 'docker-container'), inv);
    expect(local.slice(0, 6)).toEqual([
      'buildx',
      'build',
      '--progress=plain',
      '--metadata-file',
      '/t/meta.json',
      '--load',
    ]);
    const pushed = { ...inv, push: true };
    expect(buildArgs(builder('buildx', 'docker-container'), pushed)).toContain('--push');
    expect(cacheFlags({ ...builder('buildx', 'docker-container'), env: {} }, pushed, {})).toEqual([
      '--cache-from',
      'type=registry,ref=ghcr.io/org/erp/api:buildcache',
      '--cache-to',
      'type=registry,ref=ghcr.io/org/erp/api:buildcache,mode=max',
    ]);
    expect(
      cacheFlags(builder('buildx', 'docker-container'), inv, { ACTIONS_CACHE_URL: 'http://cache' }),
    ).toEqual([
      '--cache-from',
      'type=gha,scope=ghcr.io-org-erp-api',
      '--cache-to',
      'type=gha,mode=max,scope=ghcr.io-org-erp-api',
    ]);
    // The docker driver cannot export a cache; BuildKit and legacy keep the engine's local cache.
    expect(cacheFlags(builder('buildx', 'docker'), pushed, { ACTIONS_CACHE_URL: 'x' })).toEqual([]);
    expect(cacheFlags(builder('buildkit'), pushed, { ACTIONS_CACHE_URL: 'x' })).toEqual([]);
  });
});

describe('imagesTable', () => {
  it('lists every service with status, ref and id, and failures with their log tail', () => {
    const md = imagesTable(
      {
        api: {
          service: 'api',
          image: 'erp/api',
          tag: 't',
          tags: ['t'],
          digest: '',
          imageId: 'sha256:0123456789abcdef',
          ref: 'erp/api:t',
          sizeBytes: 2_500_000,
          status: 'built',
          seconds: 3.2,
        },
      },
      [
        {
          service: 'redis',
          services: ['redis'],
          message: 'building redis failed',
          dockerfile: '/d',
          logTail: ['boom'],
        },
      ],
      'buildkit',
    );
    expect(md).toContain('| api | built | `erp/api:t` | 0123456789ab | 2.5 MB | 3.2s |');
    expect(md).toContain('| redis | **failed** |');
    expect(md).toContain('<details><summary>building redis failed</summary>');
    expect(md).toContain('boom');
  });
});
