/** Tag templates (metadata-action style) and their bad input. */
import { parseHead, renderTags, validateTemplates, type TagVars } from '../../src/core/images/tags.js';

const vars: TagVars = {
  sha: '1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d',
  branch: 'feature-x',
  version: '',
  source: '',
  env: 'staging',
  now: new Date(Date.UTC(2026, 10, 26, 7, 5, 9)),
};

describe('renderTags', () => {
  it('renders every placeholder and literal text', () => {
    expect(
      renderTags(
        [
          'sha-{{sha7}}',
          '{{sha}}',
          '{{branch}}-{{sha7}}',
          '{{env}}',
          '{{date}}',
          "{{date 'YYYYMMDD-HHmmss'}}",
          'latest',
        ],
        vars,
      ),
    ).toEqual([
      'sha-1a2b3c4',
      vars.sha,
      'feature-x-1a2b3c4',
      'staging',
      '20261126',
      '20261126-070509',
      'latest',
    ]);
  });

  it('gives semver parts on a tag ref and leaves version tags out elsewhere', () => {
    expect(
      renderTags(['{{version}}', '{{major}}', '{{minor}}', 'v{{version}}'], { ...vars, version: 'v1.4.2' }),
    ).toEqual(['1.4.2', '1', '1.4', 'v1.4.2']);
    expect(renderTags(['{{version}}', 'sha-{{sha7}}'], vars)).toEqual(['sha-1a2b3c4']);
    expect(renderTags(['{{branch}}'], { ...vars, branch: '' })).toEqual([]);
  });

  it.each([
    ['{{commit}}', /unknown placeholder \{\{commit\}\}/],
    ['sha-{{sha7}', /unbalanced braces/],
    ['-{{sha7}}', /not a valid Docker tag/],
    ['with space', /not a valid Docker tag/],
    ['a'.repeat(129), /not a valid Docker tag/],
  ])('%s is bad input naming the field', (template, re) => {
    expect(() => validateTemplates([template], 'tags')).toThrow(re);
    expect(() => validateTemplates([template], 'tags')).toThrow(/^tags: /);
  });
});

describe('parseHead (one git log for commit, branch and tags)', () => {
  const sha = 'a'.repeat(40);
  it.each<[string, { branch: string; tags: string[] }]>([
    [
      `${sha}\0HEAD -> refs/heads/feature/x, refs/remotes/origin/feature/x`,
      { branch: 'feature/x', tags: [] },
    ],
    [
      `${sha}\0HEAD, tag: refs/tags/v1.2.0, tag: refs/tags/latest`,
      { branch: '', tags: ['v1.2.0', 'latest'] },
    ],
    [`${sha}\0HEAD -> refs/heads/main, tag: refs/tags/v2.0.0`, { branch: 'main', tags: ['v2.0.0'] }],
    [`${sha}\0`, { branch: '', tags: [] }],
  ])('%j', (log, want) => {
    expect(parseHead(`${log}\n`)).toEqual({ sha, ...want });
  });
  it('no repository or no commit: nothing', () => {
    expect(parseHead('')).toEqual({ sha: '', branch: '', tags: [] });
  });
});
