/**
 * Supply chain and privilege rules over every workflow and template: third-party actions pinned by a full
 * commit SHA with a version comment, permissions declared per job and least-privilege, no `secrets: inherit`,
 * checkouts that do not keep the token, secrets never interpolated straight into a shell script.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const files = [
  ...readdirSync('.github/workflows').map((f) => join('.github/workflows', f)),
  ...readdirSync('workflows').map((f) => join('workflows', f)),
].filter((f) => /\.ya?ml$/.test(f));
/** Our own actions and reusable workflow: released together with the templates under the same tag. */
const FIRST_PARTY = /^org\/erp-deploy(\/|@)/;

type Job = Record<string, unknown> & {
  permissions?: unknown;
  steps?: Record<string, unknown>[];
  uses?: string;
};
const load = (f: string) =>
  parse(readFileSync(f, 'utf8')) as { permissions?: unknown; jobs: Record<string, Job> };

/** What each write permission is for, and which job may hold it. */
function allowedWrites(file: string, id: string, job: Job): Set<string> {
  const uses = (job.steps ?? []).map((s) => String(s.uses ?? ''));
  const allowed = new Set<string>();
  // GitHub Deployments (deploy-env creates them) — deploy and rollback jobs only
  if (
    uses.some((u) => u.includes('/actions/deploy-env@')) ||
    String(job.uses ?? '').includes('pipeline.yml')
  ) {
    allowed.add('deployments');
  }
  // the PR comment of the test action, on pull requests only
  if (file === 'workflows/pr-checks.yml' && uses.some((u) => u.includes('/actions/test@')))
    allowed.add('pull-requests');
  // the suite's own release: tags and the GitHub release
  if (file === '.github/workflows/release.yml' && id === 'release') allowed.add('contents');
  return allowed;
}

/** Every `uses:` line of a file: third-party ones must be pinned by SHA with a version comment. */
function expectPinned(text: string): void {
  const lines = text.split('\n').filter((l) => /^\s*(-\s+)?uses:\s/.test(l));
  for (const line of lines) {
    const ref = line.replace(/^\s*(-\s+)?uses:\s*/, '').replace(/\s+#.*$/, '');
    if (ref.startsWith('./') || FIRST_PARTY.test(ref)) continue;
    expect([line, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(ref)]).toEqual([line, true]);
    expect([line, /#\s*v\d+\.\d+\.\d+\b/.test(line)]).toEqual([line, true]);
  }
}

describe('composite actions', () => {
  const actions = [
    'action.yml',
    ...readdirSync('actions').map((d) => join('actions', d, 'action.yml')),
  ].filter((f) => existsSync(f));
  it.each(actions)('%s pins every third-party action by SHA', (file) =>
    expectPinned(readFileSync(file, 'utf8')),
  );
});

describe.each(files)('%s', (file) => {
  const text = readFileSync(file, 'utf8');
  const wf = load(file);

  it('pins every third-party action by a 40-hex commit SHA with a version comment', () => expectPinned(text));

  it('grants nothing at the top and least privilege per job', () => {
    expect(wf.permissions).toEqual({});
    for (const [id, job] of Object.entries(wf.jobs)) {
      expect([id, typeof job.permissions]).toEqual([id, 'object']);
      const perms = job.permissions as Record<string, string>;
      const allowed = allowedWrites(file, id, job);
      for (const [scope, level] of Object.entries(perms)) {
        expect([id, scope, ['read', 'write', 'none'].includes(level)]).toEqual([id, scope, true]);
        if (level === 'write') expect([id, scope, allowed.has(scope)]).toEqual([id, scope, true]);
        else expect([id, scope]).toEqual([id, 'contents']);
      }
    }
  });

  it('passes secrets explicitly and keeps them out of scripts', () => {
    expect(text).not.toMatch(/secrets:\s*inherit/);
    for (const job of Object.values(wf.jobs)) {
      for (const step of job.steps ?? []) {
        if (typeof step.run === 'string') expect(step.run).not.toMatch(/\$\{\{\s*secrets\./);
        if (String(step.uses ?? '').startsWith('actions/checkout@') && !file.endsWith('release.yml')) {
          expect((step.with as Record<string, unknown>)?.['persist-credentials']).toBe(false);
        }
      }
    }
  });
});
