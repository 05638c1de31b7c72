/** Every committed bundle loads and runs on this Node: with no inputs it fails cleanly, never a module crash. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = join(process.cwd(), 'dist');
const actions = readdirSync(dist).filter((d) => d !== 'cli');

function runBundle(name: string, args: string[] = []) {
  const cwd = mkdtempSync(join(tmpdir(), 'erp-bundle-'));
  return spawnSync(process.execPath, [join(dist, name, 'index.js'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '' },
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
});
