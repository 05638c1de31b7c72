/**
 * Push through the bundled action to a real registry on loopback (Debian's docker-registry with htpasswd
 * auth): the digest output is the one the registry serves, ref is image@digest, the password is masked; a
 * wrong password fails before anything is built or pushed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/core/exec.js';
import { fixtureCopy, runAction } from './build-harness.js';

const USER = 'erpt-user';
const PASSWORD = 'erpt-Registry-Pass-7';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function registryGet(port: number, path: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, {
    headers: {
      Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`,
      Accept: 'application/vnd.docker.distribution.manifest.v2+json',
    },
  });
}

// jest ignores testTimeout inside a project entry of jest.config.js, so each test states its bound.
const TIMEOUT = 300_000;
describe('build-images push to a registry', () => {
  const dir = fixtureCopy();
  const state = mkdtempSync(join(tmpdir(), 'erpt-registry-'));
  // docker login writes credentials here, not into the machine's ~/.docker.
  const dockerConfig = mkdtempSync(join(tmpdir(), 'erpt-docker-config-'));
  let registry: ChildProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    const htpasswd = await run('htpasswd', ['-Bbn', USER, PASSWORD], { timeoutMs: 30_000 });
    writeFileSync(join(state, 'htpasswd'), htpasswd.stdout);
    writeFileSync(
      join(state, 'config.yml'),
      `version: 0.1\nlog: { level: error }\nstorage: { filesystem: { rootdirectory: ${state}/data } }\n` +
        `http: { addr: '127.0.0.1:${port}', secret: erpt-test }\nauth: { htpasswd: { realm: erpt, path: ${state}/htpasswd } }\n`,
    );
    registry = spawn('docker-registry', ['serve', join(state, 'config.yml')], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      const status = await fetch(`http://127.0.0.1:${port}/v2/`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 401) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('docker-registry did not answer on 127.0.0.1:' + port);
  }, TIMEOUT);

  afterAll(() => {
    registry?.kill('SIGTERM');
  });

  it(
    'pushes every built image; the digest output is what the registry serves',
    async () => {
      const r = await runAction(
        dir,
        {
          config: 'erp-deploy.yml',
          services: 'app',
          push: 'true',
          registry: `127.0.0.1:${port}`,
          'registry-username': USER,
          'registry-password': PASSWORD,
        },
        { DOCKER_CONFIG: dockerConfig },
      );
      expect(r.stdout).not.toMatch(/::error/);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`::add-mask::${PASSWORD}`);
      expect(r.stdout.replaceAll(`::add-mask::${PASSWORD}`, '') + r.stderr).not.toContain(PASSWORD);
      for (const s of ['base', 'app']) {
        const img = r.images![s];
        expect(img.image).toBe(`127.0.0.1:${port}/erpt/${s}`);
        expect(img.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(img.ref).toBe(`${img.image}@${img.digest}`);
        const manifest = await registryGet(port, `/v2/erpt/${s}/manifests/${img.tag}`);
        expect(manifest.status).toBe(200);
        expect(manifest.headers.get('docker-content-digest')).toBe(img.digest);
      }
      expect(r.images!['app-worker'].ref).toBe(r.images!.app.ref);
    },
    TIMEOUT,
  );

  it(
    'a wrong password: the login fails, nothing is built or pushed',
    async () => {
      const r = await runAction(
        dir,
        {
          config: 'erp-deploy.yml',
          tags: 'never-{{sha7}}',
          push: 'true',
          registry: `127.0.0.1:${port}`,
          'registry-username': USER,
          'registry-password': 'erpt-wrong-password',
        },
        { DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'erpt-docker-config-')) },
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        /::error::registry login to 127\.0\.0\.1:\d+ as erpt-user failed: .*401.*nothing was built or pushed/,
      );
      expect(r.stdout).not.toMatch(/building with|\] (built|cached) in/);
      const list = await registryGet(port, '/v2/erpt/app/tags/list');
      const tags = list.status === 200 ? ((await list.json()) as { tags: string[] | null }).tags : [];
      expect(list.status).toBe(200); // the first test pushed app
      expect((tags ?? []).some((t) => t.startsWith('never-'))).toBe(false);
    },
    TIMEOUT,
  );
});
