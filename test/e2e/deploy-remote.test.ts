/**
 * The real stack deployed over SSH to ANOTHER host: a network namespace with its own Docker engine, its own
 * mount namespace (this checkout and the scratch project are hidden there) and a real sshd on 10.231.7.2:22.
 * Nothing is shared but the kernel: the images travel as `docker save | docker load` over the SSH connection
 * (no registry), the project files the compose mounts (an overlay adding a Prometheus rule file) are copied
 * to the remote state directory, and the remote engine runs everything from there.
 *   1. first deploy: every image sent, the rule file copied, every service healthy, the rule loaded;
 *   2. a changed rule file: nothing sent, only Prometheus restarts, on a new content-addressed copy;
 *   3. rollback to the first release after a third-party tag moved on the remote engine: the tag is pointed
 *      back at the recorded image, the first rule file serves again, Redis keeps its data;
 *   4. a new API image with keepReleases 1: only that image is sent, and the prune removes the old records,
 *      the old API image and the rule copy no kept release mounts;
 *   5. production on the same host with the Swarm driver: the swarm is created, the edge proxy's image sent.
 * Own names: project erpt-remote-staging on the remote engine, netns erpt-remote (10.231.7.0/30).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/core/config/load.js';
import { deploy, releases, rollback } from '../../src/core/deploy/index.js';
import { buildProject } from '../../src/core/images/project.js';
import type { ImageMap } from '../../src/core/images/types.js';
import { MemoryLogger } from '../../src/core/log.js';
import { REMOTE, startRemoteHost, type RemoteHost } from '../fixtures/deploy/remote-host.js';
import { offlineImageVars, waitFor } from './e2e-harness.js';

jest.setTimeout(900_000);
const PROJECT = 'erpt-remote-staging';
const API = 'http://127.0.0.1:18000';
const PROM = 'http://127.0.0.1:19090';
const dir = mkdtempSync(join(tmpdir(), 'erpt-remote-project-'));
const state = mkdtempSync(join(tmpdir(), 'erpt-remote-state-'));
const secrets = {
  ERPT_REDIS_PASSWORD: `remote-redis-${Math.random().toString(36).slice(2, 12)}`,
  ERPT_FLOWER_AUTH: `admin:remote-${Math.random().toString(36).slice(2, 12)}`,
  ERPT_GRAFANA_PASSWORD: `remote-grafana-${Math.random().toString(36).slice(2, 12)}`,
};
let host: RemoteHost;
let images: ImageMap;
const ruleFile = join(dir, 'compose/site/site-rules.yml');
const rule = (value: number) =>
  `groups:\n  - name: site\n    rules:\n      - record: erpt:remote_marker\n        expr: vector(${value})\n`;

const SECRET_MAP =
  '{ redis_password: ERPT_REDIS_PASSWORD, flower_basic_auth: ERPT_FLOWER_AUTH, grafana_admin_password: ERPT_GRAFANA_PASSWORD }';

function writeProject(keepReleases = 5): void {
  if (keepReleases === 5) {
    cpSync(resolve('compose'), join(dir, 'compose'), { recursive: true });
    mkdirSync(join(dir, 'compose/site'), { recursive: true });
    writeFileSync(ruleFile, rule(1));
  }
  // A site overlay, as a user adds one: an extra rule file for Prometheus, mounted from the project.
  writeFileSync(
    join(dir, 'compose/site.yml'),
    `version: '3.8'\nservices:\n  prometheus:\n    volumes:\n      - ./site/site-rules.yml:/etc/prometheus/rules/site-rules.yml:ro\n`,
  );
  writeFileSync(
    join(dir, 'erp-deploy.yml'),
    `version: 1
project: erpt-remote
compose:
  files: [${join(dir, 'compose/docker-compose.yml')}]
stateDir: ${state}
environments:
  staging:
    driver: compose
    target: ssh://root@${REMOTE.ip}:22
    sshKeyEnv: ERPT_REMOTE_KEY
    projectName: ${PROJECT}
    overlays: [${join(dir, 'compose/docker-compose.staging.yml')}, ${join(dir, 'compose/site.yml')}]
    url: ${API}
    healthTimeout: 240s
    keepReleases: ${keepReleases}
    secrets: ${SECRET_MAP}
  production:
    driver: swarm
    target: ssh://root@${REMOTE.ip}:22
    sshKeyEnv: ERPT_REMOTE_KEY
    projectName: ${PROJECT.replace('staging', 'production')}
    overlays: [${join(dir, 'compose/docker-compose.production.yml')}]
    url: http://127.0.0.1:8000
    healthTimeout: 300s
    env: { ERP_SWARM_INIT: "true" }
    secrets: ${SECRET_MAP}
`,
  );
}

const ctx = (environment = 'staging') => ({
  config: loadConfig(join(dir, 'erp-deploy.yml')),
  environment,
  logger: new MemoryLogger(),
  vars: {
    ...process.env,
    ...offlineImageVars(),
    ...secrets,
    ERPT_REMOTE_KEY: host.key,
    ERP_DEPLOY_SSH_FINGERPRINT: host.fingerprint,
  },
});

async function promJson(path: string): Promise<{ data: unknown }> {
  const r = await host.get(`${PROM}${path}`);
  expect(r.status).toBe(200);
  return JSON.parse(r.body) as { data: unknown };
}

/** The marker rule's value as the remote Prometheus evaluates it (undefined until the rule ran once). */
async function marker(): Promise<number | undefined> {
  const j = (await promJson(`/api/v1/query?query=erpt:remote_marker`)) as {
    data: { result: { value: [number, string] }[] };
  };
  return j.data.result.length ? Number(j.data.result[0].value[1]) : undefined;
}

const containerId = async (service: string) =>
  host.docker(
    'ps',
    '-q',
    '--filter',
    `label=com.docker.compose.project=${PROJECT}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
  );

beforeAll(async () => {
  writeProject();
  host = await startRemoteHost([resolve('.'), dir]);
  const c = ctx();
  const built = await buildProject(c.config, { logger: c.logger, environment: 'staging', env: c.vars });
  expect(built.failures).toEqual([]);
  images = built.images;
}, 900_000);

afterAll(async () => {
  await host?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});

describe('deploy over SSH to another host (own engine, own file system)', () => {
  let first: string;

  it('sends the images, copies the mounted project file, and runs the whole stack healthy there', async () => {
    expect(await host.docker('images', '-q')).toBe(''); // a fresh engine: everything must travel
    const c = ctx();
    const r = await deploy(c, { images });
    first = r.release.id;
    expect(r.release.outcome).toBe('healthy');
    const log = c.logger.text();
    console.log(
      log
        .split('\n')
        .filter((l) => /images: sent|files: /.test(l))
        .join('\n'),
    );
    expect(log).toMatch(/images: sent \d+ image\(s\), \d+ MB/);
    expect(log).toMatch(/files: 1 project path\(s\) mounted on ssh:\/\/root@10\.231\.7\.2:22: 1 sent/);
    for (const s of Object.values(secrets)) expect(log).not.toContain(s);
    // The remote engine runs exactly the built images.
    for (const [service, img] of Object.entries(images)) {
      if (service === 'grafana') continue;
      expect(await host.docker('image', 'inspect', '--format', '{{.Id}}', img.ref)).toBe(img.imageId);
    }
    // The recorded compose file mounts the copy under the remote state directory, not this checkout.
    const compose = readFileSync(join(state, PROJECT, 'releases', first, 'compose.yml'), 'utf8');
    expect(compose).toContain(`${state}/${PROJECT}/files/`);
    expect(compose).not.toContain(dir);
    expect((await host.get(`${API}/health/ready`)).status).toBe(200);
    expect(await waitFor(async () => (await marker()) === 1 || undefined, 90_000, 3000)).toBe(true);
    const targets = (await promJson('/api/v1/targets?state=active')) as {
      data: { activeTargets: { health: string }[] };
    };
    expect(targets.data.activeTargets.length).toBeGreaterThanOrEqual(7);
  });

  it('a changed rule file: nothing sent again, only Prometheus restarts on the new copy', async () => {
    const before = {
      api: await containerId('api'),
      redis: await containerId('redis'),
      prometheus: await containerId('prometheus'),
    };
    writeFileSync(ruleFile, rule(2));
    const c = ctx();
    const r = await deploy(c, { images });
    expect(r.release.outcome).toBe('healthy');
    expect(r.plan.changed).toEqual(['prometheus']);
    expect(c.logger.text()).not.toMatch(/images: sent/);
    expect(c.logger.text()).toMatch(/1 sent/);
    expect(await containerId('api')).toBe(before.api);
    expect(await containerId('redis')).toBe(before.redis);
    expect(await containerId('prometheus')).not.toBe(before.prometheus);
    expect(await waitFor(async () => (await marker()) === 2 || undefined, 90_000, 3000)).toBe(true);
  });

  it('rolls back to the first release after a third-party tag moved on the remote engine', async () => {
    const redisRef = images.redis.ref;
    // Someone re-tagged the Redis image on the host (an offline stand-in rebuilt, a manual pull).
    await host.docker('tag', images.api.imageId, redisRef);
    await host.get(`${API}/health/ready`);
    const redis = await containerId('redis');
    const c = ctx();
    const r = await rollback(c, first);
    expect(r.release.outcome).toBe('healthy');
    expect(c.logger.text()).toMatch(/pointed back at/);
    expect(await host.docker('image', 'inspect', '--format', '{{.Id}}', redisRef)).toBe(images.redis.imageId);
    expect(r.plan.changed).toEqual(['prometheus']);
    expect(await containerId('redis')).toBe(redis);
    expect(await waitFor(async () => (await marker()) === 1 || undefined, 90_000, 3000)).toBe(true);
    const list = await releases(ctx());
    expect(list.releases.map((x) => x.outcome)).toEqual(['healthy', 'healthy', 'healthy']);
  });

  it('prunes after a healthy deploy: old records, the image only they named, the copy only they mounted', async () => {
    const oldApi = images.api.imageId;
    const filesDir = join(state, PROJECT, 'files');
    expect(readdirSync(filesDir)).toHaveLength(2); // rule 1 and rule 2
    writeProject(1);
    writeFileSync(ruleFile, rule(1));
    appendFileSync(join(dir, 'compose/api/erp_api/__init__.py'), '\n# a new release of the API\n');
    const c = ctx();
    const built = await buildProject(c.config, { logger: c.logger, environment: 'staging', env: c.vars });
    expect(built.images.api.imageId).not.toBe(oldApi);
    images = built.images;
    const r = await deploy(c, { images });
    expect(r.release.outcome).toBe('healthy');
    expect(c.logger.text()).toMatch(/images: sent 1 image\(s\)/);
    expect(c.logger.text()).toMatch(
      /prune: kept the newest 1 release\(s\) and the known-good; removed releases \S+,\S+,\S+; images 1; file copies 1/,
    );
    expect((await releases(ctx())).releases.map((x) => x.id)).toEqual([r.release.id]);
    await expect(host.docker('image', 'inspect', oldApi)).rejects.toThrow(/No such image/);
    expect(readdirSync(filesDir)).toHaveLength(1);
    expect(await host.docker('image', 'inspect', '--format', '{{.Id}}', images.redis.ref)).toBe(
      images.redis.imageId,
    );
    expect((await host.get(`${API}/health/ready`)).status).toBe(200);
    await expect(rollback(ctx(), first)).rejects.toThrow(/unknown release .*pruned/);
  });

  it('deploys production with the Swarm driver to the same host: swarm created there, edge proxy image sent', async () => {
    const c = ctx('production');
    const r = await deploy(c, { images });
    expect(r.release.outcome).toBe('healthy');
    expect(c.logger.text()).toMatch(/images: sending erp-deploy\/python:offline to ssh:/);
    expect(await host.docker('info', '--format', '{{.Swarm.LocalNodeState}}')).toBe('active');
    expect((await host.get('http://127.0.0.1:8000/health/ready')).status).toBe(200);
    expect((await host.get(`${API}/health/ready`)).status).toBe(200); // staging untouched beside it
  });
});
