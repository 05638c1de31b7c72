/**
 * A deploy over SSH: the environment's target is ssh://root@127.0.0.1:32022 (a real sshd this test starts; the
 * "remote" engine is this machine's), the key comes from the variable sshKeyEnv names, the host key is pinned.
 * Also: an unreachable host and a refused key fail as bad input before anything changes.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { InputError } from '../../src/core/errors.js';
import { MemoryLogger } from '../../src/core/log.js';
import { deploy, releases, lock } from '../../src/core/deploy/index.js';
import { parseConfig } from '../../src/core/config/load.js';
import { fixtureProject, getJson, imageMap, removeProject } from '../fixtures/deploy/fixture.js';
import { startSshd, type Sshd } from '../fixtures/deploy/sshd.js';

jest.setTimeout(600_000);
const PORT = 32061;
const project = 'erpt-deploy-ssh-remote';
const fx = fixtureProject('ssh', {
  stagingPort: 32062,
  productionPort: 32063,
  extra: `  remote:
    driver: compose
    target: ssh://root@127.0.0.1:32022
    sshKeyEnv: ERPT_SSH_KEY
    projectName: ${project}
    url: http://127.0.0.1:${PORT}
    healthTimeout: 40s
    env: { ERPT_API_PORT: "${PORT}" }
    secrets: { app_token: ERPT_APP_TOKEN }
  unreachable:
    target: ssh://root@127.0.0.1:32099
    sshKeyEnv: ERPT_SSH_KEY
    projectName: erpt-deploy-ssh-nowhere
    secrets: { app_token: ERPT_APP_TOKEN }
`,
});
let sshd: Sshd;
const ctx = (environment: string, key = sshd.key) => ({
  config: fx.config,
  environment,
  logger: new MemoryLogger(),
  vars: {
    ...process.env,
    ERPT_APP_TOKEN: 'token-over-ssh',
    ERPT_SSH_KEY: key,
    ERP_DEPLOY_SSH_FINGERPRINT: sshd.fingerprint,
  },
});

beforeAll(async () => {
  sshd = await startSshd();
  await removeProject(project, 'compose');
});
afterAll(async () => {
  await sshd?.stop();
  await removeProject(project, 'compose');
});

describe('deploy over SSH', () => {
  it('the configuration accepts the ssh:// target', () => {
    expect(
      parseConfig(`version: 1\nenvironments:\n  x: { target: "ssh://root@127.0.0.1:32022" }\n`, 'x.yml')
        .environments.x.target,
    ).toBe('ssh://root@127.0.0.1:32022');
  });

  it('deploys through the SSH target: state, lock and secrets live on the remote host', async () => {
    const c = ctx('remote');
    const r = await deploy(c, { images: await imageMap('v1') });
    expect(r.release.target).toBe('ssh://root@127.0.0.1:32022');
    expect(await getJson(`http://127.0.0.1:${PORT}/x`)).toMatchObject({
      version: 'v1',
      secret_length: 'token-over-ssh'.length,
    });
    expect(c.logger.text()).toMatch(/host key SHA256:\S+ matches ERP_DEPLOY_SSH_FINGERPRINT/);
    expect(c.logger.text()).not.toContain('token-over-ssh');
    const list = await releases(ctx('remote'));
    expect(list.releases.map((x) => x.outcome)).toEqual(['healthy']);
    expect((await lock(ctx('remote'), 'status')).message).toMatch(/not locked/);
  });

  it('a refused key: bad input, nothing deployed', async () => {
    const err = await deploy(ctx('remote', sshd.refusedKey), { images: await imageMap('v2') }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/refused the SSH key/);
    expect((await getJson(`http://127.0.0.1:${PORT}/x`))?.version).toBe('v1');
  });

  it('an unreachable host: bad input naming it', async () => {
    const err = await deploy(ctx('unreachable'), { images: await imageMap('v2') }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/cannot reach root@127\.0\.0\.1:32099: connection refused/);
  });
});
