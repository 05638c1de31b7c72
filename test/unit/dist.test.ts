/** Every committed bundle loads and runs on this Node: with no inputs it fails cleanly, never a module crash. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = join(process.cwd(), 'dist');
const actions = readdirSync(dist, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'cli')
  .map((d) => d.name);

function runBundle(name: string, args: string[] = [], env: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'erp-bundle-'));
  return spawnSync(process.execPath, [join(dist, name, 'index.js'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('bundles', () => {
  it('has one bundle per action', () => {
    expect(actions.sort()).toEqual(['build-images', 'deploy-env', 'smoke-check', 'test']);
  });

  it.each(actions)('%s with no inputs fails with a clear message and exit code 1', (name) => {
    const r = runBundle(name);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /::error.*(Input required and not supplied|configuration file not found|erp-deploy\.yml.* not found)/,
    );
    expect(r.stderr).not.toMatch(/require is not defined|Cannot find module|SyntaxError/);
  });

  it('the CLI prints its help and exits 0', () => {
    const r = runBundle('cli', ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: erp-deploy');
  });

  it('the CLI exits 2 on a missing configuration file, naming it', () => {
    const r = runBundle('cli', ['config', '--config', 'nope.yml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nope\.yml: configuration file not found/);
  });

  describe('V8 code cache (scripts/dist-loader.mjs)', () => {
    const cached = (dir: string) => readdirSync(join(dir, 'v8'));

    // deploy-env and the CLI load a code chunk (the SSH client) with import(): they stay plain ESM.
    const withLoader = readdirSync(dist).filter((d) => existsSync(join(dist, d, 'bundle.js')));

    it('the bundles without code chunks run through the loader', () => {
      expect(withLoader.sort()).toEqual(['build-images', 'smoke-check', 'test']);
    });

    it.each(withLoader)('%s keeps its compiled code after the first run and reuses it', (name) => {
      const dir = mkdtempSync(join(tmpdir(), 'erp-v8-'));
      const args: string[] = [];
      const first = runBundle(name, args, { ERP_DEPLOY_CACHE_DIR: dir });
      const files = cached(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(new RegExp(`^${name}-[0-9a-f]{32}-v\\d+\\.\\d+\\.\\d+-\\w+\\.bin$`));
      const written = statSync(join(dir, 'v8', files[0])).mtimeMs;
      const second = runBundle(name, args, { ERP_DEPLOY_CACHE_DIR: dir });
      const same = (out: string) => out.replace(/erp-bundle-\w+/g, 'erp-bundle-X'); // each run has its own cwd
      expect([second.status, same(second.stdout)]).toEqual([first.status, same(first.stdout)]);
      expect(statSync(join(dir, 'v8', files[0])).mtimeMs).toBe(written); // accepted, not rewritten
    });

    it('a cache V8 rejects is replaced, and the bundle runs all the same', () => {
      const dir = mkdtempSync(join(tmpdir(), 'erp-v8-'));
      runBundle('smoke-check', [], { ERP_DEPLOY_CACHE_DIR: dir });
      const [file] = cached(dir);
      writeFileSync(join(dir, 'v8', file), Buffer.alloc(4096, 7));
      const r = runBundle('smoke-check', [], { ERP_DEPLOY_CACHE_DIR: dir });
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/::error::Input required and not supplied: environment/);
      expect(statSync(join(dir, 'v8', file)).size).toBeGreaterThan(100_000);
    });

    it('on a GitHub-hosted runner (empty every job) nothing is written', () => {
      const dir = mkdtempSync(join(tmpdir(), 'erp-v8-'));
      const r = runBundle('smoke-check', [], {
        ERP_DEPLOY_CACHE_DIR: dir,
        RUNNER_ENVIRONMENT: 'github-hosted',
      });
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/::error::Input required and not supplied: environment/);
      expect(() => cached(dir)).toThrow(/ENOENT/);
    });
  });
});
