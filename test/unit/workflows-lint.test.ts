/** Every workflow and caller template passes actionlint (with shellcheck on run: scripts). */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
const actionlint = join(gopath, 'bin', 'actionlint');
const files = [
  ...readdirSync('.github/workflows').map((f) => join('.github/workflows', f)),
  ...readdirSync('workflows').map((f) => join('workflows', f)),
].filter((f) => /\.ya?ml$/.test(f));

describe('actionlint', () => {
  it('is installed (scripts/setup.sh installs it)', () => {
    expect(existsSync(actionlint)).toBe(true);
  });

  it('covers the reusable workflow, CI, release and the three templates', () => {
    expect(files.sort()).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/pipeline.yml',
        '.github/workflows/release.yml',
        'workflows/deploy-on-push.yml',
        'workflows/manual-dispatch.yml',
        'workflows/pr-checks.yml',
      ]),
    );
  });

  it.each(files)('%s passes', (file) => {
    const r = spawnSync(actionlint, ['-no-color', file], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('finds real mistakes (the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'erp-actionlint-'));
    try {
      const bad = join(dir, 'bad.yml');
      writeFileSync(
        bad,
        'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: missing\n    steps:\n      - run: echo ${{ inputs.nope }}\n',
      );
      const r = spawnSync(actionlint, ['-no-color', bad], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/needs.*missing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
