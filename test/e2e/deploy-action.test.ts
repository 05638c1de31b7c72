/**
 * The deploy-env bundle end to end on the local engine (compose, staging) with a mocked GitHub API:
 * Deployment statuses in_progress → success (the replaced one inactive) or failure, outputs, job summary,
 * and the post step that frees a lock only when this run holds it.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../src/core/exec.js';
import { acquireLock, lockStatus } from '../../src/core/deploy/lock.js';
import { statePaths } from '../../src/core/deploy/state.js';
import { LocalTarget } from '../../src/core/deploy/target-local.js';
import {
  fixtureProject,
  getJson,
  imageMap,
  removeProject,
  type Variant,
} from '../fixtures/deploy/fixture.js';
import { startGithubMock, type GithubMock } from '../fixtures/deploy/github-mock.js';

jest.setTimeout(600_000);
const PORT = 32031;
const fx = fixtureProject('act', { stagingPort: PORT, productionPort: 32032 });
const project = fx.config.environments.staging.projectName;
const BUNDLE = resolve('dist/deploy-env/index.js');
let gh: GithubMock;

function outputsOf(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) out[m[1]] = m[3];
  return out;
}

/** Run the bundle as the runner would (async: the mocked GitHub API answers from this process). */
async function runStep(inputs: Record<string, string>, state: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'erpt-deploy-step-'));
  const files = { GITHUB_OUTPUT: 'out', GITHUB_STATE: 'state', GITHUB_STEP_SUMMARY: 'summary' };
  for (const f of Object.values(files)) writeFileSync(join(dir, f), '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_API_URL: gh.url,
    GITHUB_REPOSITORY: 'acme/erp',
    GITHUB_SHA: 'c'.repeat(40),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_RUN_ID: '42',
    ...Object.fromEntries(Object.entries(files).map(([k, f]) => [k, join(dir, f)])),
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])),
  };
  const r = await run(process.execPath, [BUNDLE], {
    cwd: fx.dir,
    env,
    timeoutMs: 300_000,
    ignoreReturnCode: true,
  });
  return {
    code: r.code,
    stdout: r.stdout,
    outputs: outputsOf(join(dir, 'out')),
    summary: readFileSync(join(dir, 'summary'), 'utf8'),
    state: readFileSync(join(dir, 'state'), 'utf8'),
  };
}

const deployStep = async (variant: Variant) =>
  runStep({
    environment: 'staging',
    images: JSON.stringify(await imageMap(variant)),
    secrets: 'ERPT_APP_TOKEN=token-from-action-input',
    'github-token': 'test-token',
  });

beforeAll(async () => {
  gh = await startGithubMock();
  await removeProject(project, 'compose');
});
afterAll(async () => {
  await gh.close();
  await removeProject(project, 'compose');
});

describe('deploy-env action', () => {
  let first = '';

  it('deploys, records a Deployment in_progress → success with the URL, sets outputs and a summary', async () => {
    const r = await deployStep('v1');
    // The runner consumes ::add-mask:: and hides the value everywhere; it must appear nowhere else.
    const shown = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    expect(shown.join('\n')).not.toContain('token-from-action-input');
    expect(r.code).toBe(0);
    first = r.outputs['release-id'];
    expect(first).toMatch(/^r\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(r.outputs).toMatchObject({
      url: `http://127.0.0.1:${PORT}`,
      changed: 'true',
      'previous-release-id': '',
    });
    expect(r.summary).toContain('| api |');
    expect(gh.deployments[0].statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(gh.deployments[0].statuses[1].environment_url).toBe(`http://127.0.0.1:${PORT}`);
    expect((await getJson(`http://127.0.0.1:${PORT}/x`))?.secret_length).toBe(
      'token-from-action-input'.length,
    );
  });

  it('a second deploy marks the replaced Deployment inactive', async () => {
    const r = await deployStep('v2');
    expect(r.code).toBe(0);
    expect(r.outputs['previous-release-id']).toBe(first);
    expect(gh.deployments[1].statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(gh.deployments[0].statuses.at(-1)?.state).toBe('inactive');
  });

  it('a failed rollout: failure status, exit 1, release-id names the release serving again', async () => {
    const r = await deployStep('unhealthy');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::.*Rolled back automatically/);
    expect(gh.deployments[2].statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
    expect(r.outputs['release-id']).toBe(r.outputs['previous-release-id']);
    expect((await getJson(`http://127.0.0.1:${PORT}/x`))?.version).toBe('v2');
  });

  it('the post step frees the lock only when this run holds it', async () => {
    const target = new LocalTarget();
    const paths = statePaths(fx.stateDir, project);
    const held = await acquireLock(target, paths, { reason: 'cancelled run', who: 'octocat (run 42)' });
    const other = await runStep(
      { environment: 'staging' },
      { 'is-post': 'true', 'lock-token': 'someone-else' },
    );
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(/held by another run/);
    expect((await lockStatus(target, paths))?.token).toBe(held.token);
    const mine = await runStep({ environment: 'staging' }, { 'is-post': 'true', 'lock-token': held.token });
    expect(mine.code).toBe(0);
    expect(mine.stdout).toMatch(/lock released/);
    expect(await lockStatus(target, paths)).toBeUndefined();
  });

  it('bad input changes nothing: unknown service in the image map', async () => {
    const images = { ...(await imageMap('v1')), nosuch: (await imageMap('v1')).api };
    const r = await runStep({
      environment: 'staging',
      images: JSON.stringify(images),
      secrets: 'ERPT_APP_TOKEN=x1234',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error.*unknown service\(s\) nosuch/);
    expect((await getJson(`http://127.0.0.1:${PORT}/x`))?.version).toBe('v2');
  });
});
