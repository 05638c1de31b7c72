/** `erp-deploy build` on the real engine: progress lines, --output image map vs inspect, exit codes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main as cliMain } from '../../src/cli/main.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { ImageMap } from '../../src/core/images/types.js';
import { docker } from '../helpers/docker.js';
import { fixtureCopy, offlineEnv } from './build-harness.js';

/** main() types its logger as the terminal one; it only uses the core Logger interface. */
const main = (argv: string[], logger: MemoryLogger): Promise<number> =>
  cliMain(argv, logger as unknown as Parameters<typeof cliMain>[1]);

// jest ignores testTimeout inside a project entry of jest.config.js, so each test states its bound.
const TIMEOUT = 300_000;
describe('erp-deploy build', () => {
  const dir = fixtureCopy();
  const config = join(dir, 'erp-deploy.yml');
  const saved = { ...process.env };
  const stdout: string[] = [];
  const write = process.stdout.write.bind(process.stdout);

  beforeAll(() => {
    Object.assign(process.env, offlineEnv(), { GITHUB_SHA: 'feedfacefeedfacefeedfacefeedfacefeedface' });
    process.stdout.write = ((s: string) => (stdout.push(String(s)), true)) as typeof process.stdout.write;
  });
  afterAll(() => {
    process.stdout.write = write;
    process.env = saved;
  });

  it(
    'builds with progress lines and writes the image map that the engine confirms',
    async () => {
      const logger = new MemoryLogger();
      const out = join(dir, 'images.json');
      const code = await main(
        ['-c', config, 'build', '-t', 'cli-{{sha7}}', '--concurrency', '2', '--output', out],
        logger,
      );
      expect(logger.text()).not.toMatch(/^error:/m);
      expect(code).toBe(0);
      expect(logger.text()).toMatch(/info: \[app\] (built|cached) in [\d.]+s → erpt-build\/app:cli-feedfac/);
      expect(logger.text()).toMatch(/info: builder: ((buildx|buildkit|legacy) \(|not needed)/);
      const images = JSON.parse(readFileSync(out, 'utf8')) as ImageMap;
      for (const s of ['base', 'app', 'app-worker', 'tool']) {
        expect(images[s].ref).toBe(`erpt-build/${s === 'app-worker' ? 'app' : s}:cli-feedfac`);
        expect(images[s].imageId).toBe(
          await docker('image', 'inspect', '--format', '{{.Id}}', images[s].ref),
        );
      }
      expect(images.cache.status).toBe('skipped');
      expect(stdout.join('')).toContain('| app-worker |');
    },
    TIMEOUT,
  );

  it(
    '--no-cache rebuilds an unchanged image cold',
    async () => {
      const logger = new MemoryLogger();
      const out = join(dir, 'cold.json');
      expect(await main(['-c', config, 'build', 'base', '--no-cache', '--output', out], logger)).toBe(0);
      const images = JSON.parse(readFileSync(out, 'utf8')) as ImageMap;
      expect(images.base.status).toBe('built');
      expect(logger.text()).toContain('[base] building with');
    },
    TIMEOUT,
  );

  it(
    'exits 2 on bad input and names what was expected',
    async () => {
      const unknown = new MemoryLogger();
      expect(await main(['-c', config, 'build', 'ghost'], unknown)).toBe(2);
      expect(unknown.text()).toMatch(
        /error: .*compose\.yml: services: unknown service "ghost"; expected one of base, app/,
      );
      const bad = new MemoryLogger();
      expect(await main(['-c', config, 'build', '--concurrency', '0'], bad)).toBe(2);
      expect(bad.text()).toMatch(/--concurrency: expected a whole number ≥ 1, got "0"/);
      const tag = new MemoryLogger();
      expect(await main(['-c', config, 'build', '-t', 'x{{nope}}'], tag)).toBe(2);
      expect(tag.text()).toMatch(/unknown placeholder \{\{nope\}\}/);
    },
    TIMEOUT,
  );
});
