/**
 * `erp-deploy pipeline` on the real engine, through the CLI and the real core (validate, build, deploy, probes,
 * rollback): a passing release goes staging → production; the next release fails its staging gate, staging
 * is rolled back to the release before, and production keeps running the first one untouched.
 * Own names and ports: projects erpt-pipeline-{stg,prod}, images erpt-pipeline/app, 127.0.0.1:32180-32182
 * (32182: the test's own Prometheus, which the gate queries).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { main } from '../../src/cli/main.js';
import { MemoryLogger } from '../../src/core/log.js';
import { run } from '../../src/core/exec.js';
import { docker, getJson, removeProject } from '../fixtures/deploy/fixture.js';

jest.setTimeout(600_000);
const FIXTURE = resolve('test/fixtures/pipeline');
const STG = 32180;
const PROD = 32181;
const PROM = 32182;
let prometheus: ChildProcess | undefined;
const dir = mkdtempSync(join(tmpdir(), 'erpt-pipeline-'));

/** The fixture project; `version` is baked into the image, `expect` is what the staging probe demands. */
function writeConfig(version: string, expectVersion: string): string {
  // the stack inside the project directory (the layout the validator expects), building the deploy fixture's app
  const compose = readFileSync(join(FIXTURE, 'docker-compose.yml'), 'utf8');
  writeFileSync(
    join(dir, 'docker-compose.yml'),
    compose.replace('build: ../deploy/app', `build: ${resolve('test/fixtures/deploy/app')}`),
  );
  writeFileSync(join(dir, 'gates.yml'), readFileSync(join(FIXTURE, 'gates.yml')));
  const file = join(dir, 'erp-deploy.yml');
  writeFileSync(
    file,
    `version: 1
project: erpt-pipeline
compose:
  files: [docker-compose.yml]
stateDir: ${join(dir, 'state')}
build:
  args: { APP_VERSION: ${version}, PYTHON_IMAGE: erp-deploy/python:offline }
gates: { file: gates.yml, deadline: 60s }
probes:
  - { name: live, url: /health/live, retries: 5 }
  - { name: version, url: /api/v1/version, json: { version: ${expectVersion} }, retries: 2 }
environments:
  staging:
    driver: compose
    projectName: erpt-pipeline-stg
    url: http://127.0.0.1:${STG}
    prometheusUrl: http://127.0.0.1:${PROM}
    healthTimeout: 40s
    env: { ERPT_API_PORT: "${STG}" }
  production:
    driver: compose
    projectName: erpt-pipeline-prod
    url: http://127.0.0.1:${PROD}
    prometheusUrl: http://127.0.0.1:${PROM}
    healthTimeout: 40s
    env: { ERPT_API_PORT: "${PROD}" }
`,
  );
  return file;
}

async function pipeline(release: string, ...extra: string[]) {
  const logger = new MemoryLogger();
  const out = join(dir, `out-${release}`);
  const writes: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => (writes.push(String(s)), true)) as typeof process.stdout.write;
  try {
    const code = await main(
      [
        '-c',
        join(dir, 'erp-deploy.yml'),
        'pipeline',
        '--release',
        release,
        '--checks',
        'compose',
        '--output-dir',
        out,
        '--json',
        ...extra,
      ],
      logger as never,
    );
    const text = writes.join('');
    if (!text) throw new Error(`no JSON from the CLI (exit ${code}):\n${logger.text()}`);
    return { code, log: logger.text(), json: JSON.parse(text), out };
  } finally {
    process.stdout.write = write;
  }
}

const cleanup = async () => {
  await removeProject('erpt-pipeline-stg', 'compose');
  await removeProject('erpt-pipeline-prod', 'compose');
};
beforeAll(async () => {
  await cleanup();
  const data = join(dir, 'prometheus');
  mkdirSync(data);
  writeFileSync(
    join(data, 'prometheus.yml'),
    `global: { scrape_interval: 1s, scrape_timeout: 900ms }\nscrape_configs:\n  - job_name: prometheus\n    static_configs: [{ targets: ['127.0.0.1:${PROM}'] }]\n`,
  );
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${join(data, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(data, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${PROM}`,
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 120; i++) {
    const ready = await fetch(`http://127.0.0.1:${PROM}/-/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 250));
  }
});
afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await cleanup();
  const tags = (await docker('images', '--format', '{{.Repository}}:{{.Tag}}', 'erpt-pipeline/app'))
    .split('\n')
    .filter(Boolean);
  if (tags.length) await run('docker', ['rmi', ...tags], { ignoreReturnCode: true });
  rmSync(dir, { recursive: true, force: true });
});

describe('erp-deploy pipeline on the engine', () => {
  let first = '';

  it('ships a passing release to staging, then production, in the workflow order', async () => {
    writeConfig('v1', 'v1');
    const r = await pipeline('p1');
    expect([r.code, r.json.failure, r.code ? r.log : '']).toEqual([0, undefined, '']);
    const groups = r.log.split('\n').filter((l) => /^group: (test|build|deploy|check|rollback)( |$)/.test(l));
    expect(groups).toEqual([
      'group: test',
      'group: build',
      'group: deploy staging',
      'group: check staging',
      'group: deploy production',
      'group: check production',
    ]);
    expect(r.json['staging-verdict']).toBe('passed');
    expect(r.json['production-verdict']).toBe('passed');
    first = r.json['production-release-id'];
    expect(first).not.toBe('');
    expect(JSON.parse(r.json.images).api.ref).toMatch(/^erpt-pipeline\/app:p1$|@sha256:/);
    expect(await getJson(`http://127.0.0.1:${STG}/api/v1/version`)).toMatchObject({ version: 'v1' });
    expect(await getJson(`http://127.0.0.1:${PROD}/api/v1/version`)).toMatchObject({ version: 'v1' });
    expect(existsSync(join(r.out, 'images.json'))).toBe(true);
  });

  it('a failed staging gate rolls staging back and never touches production', async () => {
    writeConfig('v2', 'v1'); // the v2 image answers version v2: the staging probe fails
    const r = await pipeline('p2');
    expect(r.code).toBe(1);
    expect(r.json.failure).toMatch(
      /^gate failed on staging: failed: probe:version.*; staging rolled back to /,
    );
    expect(r.log).not.toMatch(/group: deploy production/);
    expect(r.json['production-release-id']).toBe('');
    // staging runs v1 again, production never moved
    expect(await getJson(`http://127.0.0.1:${STG}/api/v1/version`)).toMatchObject({ version: 'v1' });
    expect(await getJson(`http://127.0.0.1:${PROD}/api/v1/version`)).toMatchObject({ version: 'v1' });
    const report = readFileSync(join(r.out, 'gates-staging.md'), 'utf8');
    expect(report).toMatch(/version/);
  });
});
