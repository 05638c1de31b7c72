/**
 * Every bad input of build-images through the bundled action: a clear error naming the file and the field,
 * exit code 1, nothing built or pushed. And a failing build: the service, the Dockerfile line, the log tail.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureCopy, runAction } from './build-harness.js';

/** A scratch copy of the fixture whose compose file is replaced by `compose`. */
function project(compose?: string): string {
  const dir = fixtureCopy();
  if (compose !== undefined) writeFileSync(join(dir, 'compose.yml'), compose);
  return dir;
}

function expectBadInput(r: Awaited<ReturnType<typeof runAction>>, file: string, text: RegExp): void {
  expect(r.code).toBe(1);
  const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain(`file=${file}`);
  expect(errors[0]).toMatch(text);
  expect(r.stdout).not.toMatch(/building with|\[\w+\] (built|cached)/);
}

// jest ignores testTimeout inside a project entry of jest.config.js, so each test states its bound.
const TIMEOUT = 120_000;
describe('build-images bad input', () => {
  it(
    'unknown service names: lists the valid ones',
    async () => {
      const dir = project();
      const r = await runAction(dir, { config: 'erp-deploy.yml', services: 'app\nghost' });
      expectBadInput(
        r,
        join(dir, 'compose.yml'),
        /services: unknown service "ghost"; expected one of base, app, app-worker, tool, cache/,
      );
    },
    TIMEOUT,
  );

  it(
    'a compose file that does not parse: file and line',
    async () => {
      const dir = project('services:\n  app:\n    image: [broken\n  tool: {}\n');
      const r = await runAction(dir, { config: 'erp-deploy.yml' });
      expectBadInput(r, join(dir, 'compose.yml'), /line=\d+.*not valid YAML/);
    },
    TIMEOUT,
  );

  it(
    'a service with neither build nor image',
    async () => {
      const dir = project(
        'services:\n  app:\n    image: erpt-build/app:dev\n  lost:\n    command: ["true"]\n',
      );
      const r = await runAction(dir, { config: 'erp-deploy.yml' });
      expectBadInput(
        r,
        join(dir, 'compose.yml'),
        /line=4.*services\.lost: service "lost" has neither build nor image/,
      );
    },
    TIMEOUT,
  );

  it(
    'a missing Dockerfile',
    async () => {
      const dir = project(
        'services:\n  app:\n    build: { context: ./app, dockerfile: Missing.Dockerfile }\n    image: erpt-build/app:dev\n',
      );
      const r = await runAction(dir, { config: 'erp-deploy.yml' });
      expectBadInput(
        r,
        join(dir, 'compose.yml'),
        /services\.app\.build\.dockerfile: Dockerfile not found: .*Missing\.Dockerfile/,
      );
    },
    TIMEOUT,
  );

  it(
    'an unreadable context',
    async () => {
      const dir = project('services:\n  app:\n    build: ./app/run.sh\n    image: erpt-build/app:dev\n');
      const r = await runAction(dir, { config: 'erp-deploy.yml' });
      expectBadInput(
        r,
        join(dir, 'compose.yml'),
        /services\.app\.build\.context: build context .*run\.sh cannot be read \(ENOTDIR\)/,
      );
    },
    TIMEOUT,
  );

  it(
    'an invalid tag template: names the field, builds nothing',
    async () => {
      const dir = project();
      const r = await runAction(dir, { config: 'erp-deploy.yml', tags: 'sha-{{sha7}}\n{{commit}}' });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        /::error::tags: unknown placeholder \{\{commit\}\} in tag template "\{\{commit\}\}"/,
      );
      expect(r.stdout).not.toMatch(/building with/);
    },
    TIMEOUT,
  );

  it(
    'a bad concurrency or cache input',
    async () => {
      const dir = project();
      const c = await runAction(dir, { config: 'erp-deploy.yml', concurrency: 'two' });
      expect(c.code).toBe(1);
      expect(c.stdout).toMatch(/::error::concurrency: expected a whole number ≥ 1, got "two"/);
      const m = await runAction(dir, { config: 'erp-deploy.yml', cache: 'magic' });
      expect(m.code).toBe(1);
      expect(m.stdout).toMatch(/::error::cache: expected one of auto, buildx, buildkit, legacy, got "magic"/);
    },
    TIMEOUT,
  );

  it(
    'a registry login failure: clear error, password masked, nothing built or pushed',
    async () => {
      const dir = project();
      const password = 'erpt-Secret-Pass-42';
      const r = await runAction(dir, {
        config: 'erp-deploy.yml',
        push: 'true',
        registry: '127.0.0.1:9',
        'registry-username': 'erpt-user',
        'registry-password': password,
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        /::error::registry login to 127\.0\.0\.1:9 as erpt-user failed: .*nothing was built or pushed/,
      );
      expect(r.stdout).toContain(`::add-mask::${password}`);
      expect(r.stdout.replaceAll(`::add-mask::${password}`, '') + r.stderr).not.toContain(password);
      expect(r.stdout).not.toMatch(/building with|\] (built|cached)/);
    },
    TIMEOUT,
  );

  it(
    'push without credentials is bad input before anything runs',
    async () => {
      const r = await runAction(project(), {
        config: 'erp-deploy.yml',
        push: 'true',
        registry: '127.0.0.1:9',
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/::error::registry-password: push needs registry credentials/);
    },
    TIMEOUT,
  );

  it.each(['auto', 'legacy'])(
    'a failing build (builder %s): annotation on the Dockerfile line with the failing step and the log tail',
    async (cache) => {
      const dir = project();
      mkdirSync(join(dir, 'broken'));
      writeFileSync(
        join(dir, 'broken/Dockerfile'),
        'FROM erpt-build/base:dev\nRUN echo preparing\nRUN echo "erpt-failure-marker" && exit 3\n',
      );
      writeFileSync(
        join(dir, 'compose.yml'),
        'services:\n  base:\n    build: { context: ./base, args: { DEBIAN_IMAGE: erp-deploy/debian:bookworm } }\n    image: erpt-build/base:dev\n  broken:\n    build: ./broken\n    image: erpt-build/broken:dev\n',
      );
      const r = await runAction(dir, { config: 'erp-deploy.yml', cache });
      expect(r.code).toBe(1);
      const annotation = r.stdout
        .split('\n')
        .find((l) => l.startsWith('::error title=build-images%3A broken failed'));
      expect(annotation).toBeDefined();
      expect(annotation).toContain(`file=${join(dir, 'broken/Dockerfile')},line=3`);
      expect(annotation).toMatch(
        /building broken failed \(exit \d+\) at .*Dockerfile:3: RUN echo "erpt-failure-marker" && exit 3/,
      );
      expect(annotation).toContain('erpt-failure-marker');
      // The other image is still built and reported; the failure is in the summary with its log.
      expect(r.images!.base.status).toMatch(/built|cached/);
      expect(r.summary).toContain('| broken | **failed** |');
    },
    TIMEOUT,
  );
});
