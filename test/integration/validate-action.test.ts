/**
 * The test action end to end on this machine: the composite's own steps (Redis started, pytest with JUnit) then
 * the built JS entry (dist/test/index.js, inputs as INPUT_* like GitHub passes them): annotations at file:line,
 * the summary table, outputs; the ERP's own tests against a real Redis; and the PR comment against a mocked
 * GitHub API (local HTTP server + GITHUB_API_URL), updated on the second run, never duplicated.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { run } from '../../src/core/exec.js';
import { runComposite } from './validate-action-runner.js';

const ROOT = process.cwd();
const ACTION = join(ROOT, 'actions/test/action.yml');
const BUNDLE = join(ROOT, 'dist/test/index.js');
const VENV_BIN = join(ROOT, '.venv/bin');

/** A clean environment: no GitHub variables of the machine leak in. */
function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const keep = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('GITHUB_') && !k.startsWith('INPUT_') && !k.startsWith('RUNNER_'),
    ),
  );
  return { ...keep, PATH: `${VENV_BIN}${delimiter}${process.env.PATH}`, ...extra };
}

const freePort = (): number => 20000 + Math.floor(Math.random() * 20000);

beforeAll(async () => {
  // The committed bundle is what runners execute (scripts/check-dist.sh keeps it current); build it only if absent.
  if (!existsSync(BUNDLE))
    await run(process.execPath, ['scripts/build-dist.mjs', 'test'], { cwd: ROOT, timeoutMs: 240_000 });
  expect(existsSync(BUNDLE)).toBe(true);
}, 300_000);

describe('the test action through its composite steps', () => {
  const redisPort = freePort();
  afterAll(async () => {
    await run('redis-cli', ['-p', String(redisPort), 'shutdown', 'nosave'], {
      ignoreReturnCode: true,
      timeoutMs: 10_000,
    }).catch(() => undefined);
  });

  test('a failing app test is annotated at its file:line, with the summary table and outputs', async () => {
    const res = await runComposite(
      ACTION,
      {
        'pytest-args': 'test/fixtures/broken/pytest -p no:cacheprovider',
        checks: 'none',
        'github-token': '',
        'redis-port': String(redisPort),
      },
      { workspace: ROOT, env: baseEnv() },
    );
    const outcome = Object.fromEntries(res.steps.map((s) => [s.name, s.outcome]));
    expect(outcome['Start Redis']).toBe('success');
    expect(outcome['Run pytest']).toBe('failure'); // continue-on-error: the report step still runs
    const report = res.steps.find((s) => s.name.startsWith('Report'))!;
    expect(report.outcome).toBe('failure');
    expect(report.stdout).toMatch(
      /::error title=failed%3A test.fixtures.broken.pytest.test_app%3A%3Atest_order_total_is_wrong,file=test\/fixtures\/broken\/pytest\/test_app.py,line=21::AssertionError: order total/,
    );
    expect(report.stdout).not.toMatch(/test_redis_round_trip,file/); // it passed against the action's Redis
    expect(res.summary).toMatch(/\| 1 \| 1 \| 0 \| 1 \| [\d.]+s \|/); // passed, failed, errors, skipped
    expect(res.summary).toMatch(
      /test_order_total_is_wrong.*test\/fixtures\/broken\/pytest\/test_app.py:21.*order total/,
    );
    expect(res.summary).toMatch(/Slowest tests/);
    expect(res.outputs).toEqual({ result: 'failure', 'failed-checks': 'tests' });
  }, 300_000);

  test("the ERP's own API tests pass through the action against a real Redis and Celery worker", async () => {
    const res = await runComposite(
      ACTION,
      {
        'pytest-args': 'compose/api/tests/test_api.py -p no:cacheprovider',
        checks: 'compose,gates',
        'github-token': '',
        'redis-port': String(redisPort),
      },
      { workspace: ROOT, env: baseEnv() },
    );
    const pytest = res.steps.find((s) => s.name === 'Run pytest')!;
    expect(pytest.outcome).toBe('success');
    expect(res.summary).toMatch(/### Application tests: passed/);
    expect(res.summary).toMatch(/### Static checks: passed/);
    expect(res.outputs).toEqual({ result: 'success', 'failed-checks': '' });
  }, 300_000);
});

interface Comment {
  id: number;
  body: string;
  user: { login: string };
}

/** The part of GitHub's REST API the action uses for PR comments, in memory. */
function fakeGitHub(): { server: Server; comments: Comment[]; calls: string[]; ready: Promise<number> } {
  const comments: Comment[] = [{ id: 1, body: 'LGTM from a human', user: { login: 'alice' } }];
  const calls: string[] = [];
  let next = 100;
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      calls.push(`${req.method} ${url.pathname}`);
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== 'token fake-token') return send(401, { message: 'Bad credentials' });
      if (url.pathname === '/repos/acme/erp/issues/42/comments' && req.method === 'GET')
        return send(200, comments);
      if (url.pathname === '/repos/acme/erp/issues/42/comments' && req.method === 'POST') {
        const c = {
          id: next++,
          body: (JSON.parse(data) as { body: string }).body,
          user: { login: 'github-actions[bot]' },
        };
        comments.push(c);
        return send(201, c);
      }
      const m = /^\/repos\/acme\/erp\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (m && req.method === 'PATCH') {
        const c = comments.find((x) => x.id === Number(m[1]));
        if (!c) return send(404, { message: 'Not Found' });
        c.body = (JSON.parse(data) as { body: string }).body;
        return send(200, c);
      }
      send(404, { message: 'Not Found' });
    });
  });
  const ready = new Promise<number>((r) =>
    server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)),
  );
  return { server, comments, calls, ready };
}

describe('the PR comment', () => {
  test('is created once and then updated in place (found again by its hidden marker)', async () => {
    const gh = fakeGitHub();
    const port = await gh.ready;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'erp-pr-'));
      const event = join(dir, 'event.json');
      writeFileSync(
        event,
        JSON.stringify({
          pull_request: { number: 42 },
          repository: { name: 'erp', owner: { login: 'acme' } },
        }),
      );
      const runEntry = async (checks: string): Promise<string> => {
        const summary = join(dir, `summary-${checks}.md`);
        const output = join(dir, `output-${checks}`);
        writeFileSync(summary, '');
        writeFileSync(output, '');
        const res = await run(process.execPath, [BUNDLE], {
          cwd: ROOT,
          ignoreReturnCode: true,
          timeoutMs: 120_000,
          env: baseEnv({
            GITHUB_API_URL: `http://127.0.0.1:${port}`,
            GITHUB_EVENT_NAME: 'pull_request',
            GITHUB_EVENT_PATH: event,
            GITHUB_REPOSITORY: 'acme/erp',
            GITHUB_WORKSPACE: ROOT,
            GITHUB_STEP_SUMMARY: summary,
            GITHUB_OUTPUT: output,
            INPUT_CONFIG: 'erp-deploy.yml',
            INPUT_CHECKS: checks,
            'INPUT_GITHUB-TOKEN': 'fake-token',
            'INPUT_RUN-TESTS': 'false',
          }),
        });
        return res.stdout;
      };
      const first = await runEntry('gates');
      expect(first).toMatch(/PR #42: comment created/);
      const second = await runEntry('compose');
      expect(second).toMatch(/PR #42: comment updated/);
      expect(gh.comments).toHaveLength(2); // the human's and ours: one report comment, not two
      const ours = gh.comments.find((c) => c.id !== 1)!;
      expect(ours.body).toMatch(/^<!-- erp-deploy:test-report -->/);
      expect(ours.body).toMatch(/Compose files and overlays/); // the second run's content
      expect(ours.body).not.toMatch(/Gates file/);
      expect(gh.comments[0].body).toBe('LGTM from a human');
      expect(gh.calls.filter((c) => c.startsWith('POST'))).toHaveLength(1);
      expect(gh.calls.filter((c) => c.startsWith('PATCH'))).toHaveLength(1);
    } finally {
      gh.server.close();
    }
  }, 120_000);
});
