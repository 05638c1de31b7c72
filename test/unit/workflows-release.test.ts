/**
 * scripts/release.sh in a scratch repository: semver tag + moving major tag, and every refusal (bad version,
 * missing changelog section, package.json mismatch, dirty tree, existing tag, stale dist/).
 * scripts/check-dist.sh is replaced there by a stand-in whose exit code the test sets (the real one is run by
 * scripts/test.sh's "dist is current" stage).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

let repo: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
const release = (...args: string[]) =>
  spawnSync('bash', ['scripts/release.sh', ...args], { cwd: repo, encoding: 'utf8', timeout: 30_000 });

function distIs(current: boolean): void {
  writeFileSync(
    join(repo, 'scripts/check-dist.sh'),
    `#!/usr/bin/env bash\n${current ? 'exit 0' : 'echo stale >&2; exit 1'}\n`,
  );
  chmodSync(join(repo, 'scripts/check-dist.sh'), 0o755);
  git('add', '-A');
  git('commit', '-qm', `dist ${current}`, '--allow-empty');
}

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'erp-release-'));
  mkdirSync(join(repo, 'scripts'));
  copyFileSync(resolve('scripts/release.sh'), join(repo, 'scripts/release.sh'));
  writeFileSync(join(repo, 'package.json'), '{ "version": "1.2.0" }\n');
  writeFileSync(
    join(repo, 'CHANGELOG.md'),
    '# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2026-11-26\n\n### Added\n\n- gates\n\n## [1.1.0] - 2026-10-01\n\n- older\n',
  );
  git('init', '-q');
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 'test');
  git('add', '-A');
  git('commit', '-qm', 'init');
  distIs(true);
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe('scripts/release.sh', () => {
  it('tags vX.Y.Z and moves vX to the same commit', () => {
    const r = release('1.2.0');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/tagged v1\.2\.0/);
    const head = git('rev-parse', 'HEAD');
    expect(git('rev-list', '-n1', 'v1.2.0')).toBe(head);
    expect(git('rev-list', '-n1', 'v1')).toBe(head);
    // a later release moves v1 forward
    writeFileSync(join(repo, 'package.json'), '{ "version": "1.3.0" }\n');
    writeFileSync(join(repo, 'CHANGELOG.md'), '# Changelog\n\n## [1.3.0]\n\n- more\n');
    git('commit', '-qam', 'next');
    expect(release('v1.3.0').status).toBe(0);
    expect(git('rev-list', '-n1', 'v1')).toBe(git('rev-parse', 'HEAD'));
    expect(git('rev-list', '-n1', 'v1.2.0')).toBe(head);
  });

  it('prints the release notes of a version', () => {
    const r = release('--notes', '1.2.0');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('### Added\n\n- gates\n');
  });

  it.each([
    ['1.2', /not a semver version/],
    ['1.4.0', /CHANGELOG\.md has no "## \[1\.4\.0\]" section/],
  ])('refuses %s', (v, message) => {
    const r = release(v);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(git('tag')).toBe('');
  });

  it('refuses a package.json mismatch, a dirty tree, an existing tag and a stale dist/', () => {
    writeFileSync(join(repo, 'CHANGELOG.md'), '## [1.2.1]\n\n- fix\n## [1.2.0]\n\n- x\n');
    git('commit', '-qam', 'changelog');
    expect(release('1.2.1').stderr).toMatch(/package\.json says 1\.2\.0, not 1\.2\.1/);

    writeFileSync(join(repo, 'package.json'), '{ "version": "1.2.0", "dirty": true }\n');
    expect(release('1.2.0').stderr).toMatch(/uncommitted changes/);
    git('checkout', '-q', 'package.json');

    distIs(false);
    const stale = release('1.2.0');
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/dist\/ is stale/);
    expect(git('tag')).toBe('');

    distIs(true);
    expect(release('1.2.0').status).toBe(0);
    expect(release('1.2.0').stderr).toMatch(/tag v1\.2\.0 exists already/);
  });

  it('does not move the major tag for a pre-release', () => {
    writeFileSync(join(repo, 'package.json'), '{ "version": "2.0.0-rc.1" }\n');
    writeFileSync(join(repo, 'CHANGELOG.md'), '## [2.0.0-rc.1]\n\n- rc\n');
    git('commit', '-qam', 'rc');
    expect(release('2.0.0-rc.1').status).toBe(0);
    expect(git('tag').split('\n')).toEqual(['v2.0.0-rc.1']);
  });
});
