/**
 * Tag templates in the spirit of docker/metadata-action: {{sha}}, {{sha7}}, {{branch}}, {{version}},
 * {{major}}, {{minor}}, {{env}}, {{date}} (YYYYMMDD) and {{date 'FORMAT'}} with YYYY MM DD HH mm ss, around
 * literal text. A tag whose placeholder has no value here (e.g. {{version}} off a tag ref) is left out, as
 * metadata-action does; an unknown placeholder or a result that is not a valid Docker tag is bad input.
 */
import { InputError } from '../errors.js';
import { run } from '../exec.js';

export interface GitContext {
  sha: string;
  /** Branch name, sanitised for a tag ('/' → '-'); empty on a detached head or a tag ref. */
  branch: string;
  /** Semver from a tag ref (refs/tags/v1.2.3 → 1.2.3), or empty. */
  version: string;
  /** Repository URL for org.opencontainers.image.source. */
  source: string;
}

export interface TagVars extends GitContext {
  env: string;
  now: Date;
}

const VALID_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.+-]*)?$/;

function formatDate(d: Date, fmt: string): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const parts: Record<string, string> = {
    YYYY: p(d.getUTCFullYear(), 4),
    MM: p(d.getUTCMonth() + 1),
    DD: p(d.getUTCDate()),
    HH: p(d.getUTCHours()),
    mm: p(d.getUTCMinutes()),
    ss: p(d.getUTCSeconds()),
  };
  return fmt.replace(/YYYY|MM|DD|HH|mm|ss/g, (k) => parts[k]);
}

function placeholder(expr: string, v: TagVars, template: string, field: string): string {
  const date = /^date(?:\s+'([^']*)')?$/.exec(expr);
  if (date) return formatDate(v.now, date[1] ?? 'YYYYMMDD');
  const sv = SEMVER.exec(v.version);
  switch (expr) {
    case 'sha':
      return v.sha;
    case 'sha7':
      return v.sha.slice(0, 7);
    case 'branch':
      return v.branch;
    case 'env':
      return v.env;
    case 'version':
      return sv ? v.version.replace(/^v/, '') : '';
    case 'major':
      return sv ? sv[1] : '';
    case 'minor':
      return sv ? `${sv[1]}.${sv[2]}` : '';
    default:
      throw new InputError(
        `unknown placeholder {{${expr}}} in tag template "${template}"; expected sha, sha7, branch, version, major, minor, env, date or date 'FORMAT'`,
        undefined,
        field,
      );
  }
}

/** Check templates without values (bad input must fail before anything is built). */
export function validateTemplates(templates: string[], field = 'tags'): void {
  const probe: TagVars = {
    sha: 'a'.repeat(40),
    branch: 'main',
    version: 'v1.2.3',
    source: '',
    env: 'staging',
    now: new Date(0),
  };
  renderTags(templates, probe, field);
}

export function renderTags(templates: string[], vars: TagVars, field = 'tags'): string[] {
  const out: string[] = [];
  for (const raw of templates) {
    const template = raw.trim();
    if (!template) continue;
    let empty = false;
    const rendered = template.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_m, expr: string) => {
      const value = placeholder(expr, vars, template, field);
      if (!value) empty = true;
      return value;
    });
    if (/\{\{|\}\}/.test(rendered)) {
      throw new InputError(`unbalanced braces in tag template "${template}"`, undefined, field);
    }
    if (empty) continue;
    if (!VALID_TAG.test(rendered)) {
      throw new InputError(
        `tag template "${template}" gives "${rendered}", not a valid Docker tag (letters, digits, _ . -, at most 128, not starting with . or -)`,
        undefined,
        field,
      );
    }
    if (!out.includes(rendered)) out.push(rendered);
  }
  return out;
}

async function git(args: string[], cwd: string): Promise<string> {
  const r = await run('git', args, { cwd, ignoreReturnCode: true, timeoutMs: 10_000 }).catch(() => undefined);
  return r && r.code === 0 ? r.stdout.trim() : '';
}

/** `git log -1 --decorate=full --format=%H%x00%D`: "<sha>\0HEAD -> refs/heads/main, tag: refs/tags/v1.2.0, …". */
export function parseHead(log: string): { sha: string; branch: string; tags: string[] } {
  const [sha = '', decorations = ''] = log.trim().split('\0');
  const names = decorations
    .split(', ')
    .map((d) => d.trim())
    .filter(Boolean);
  const head = names.find((n) => n.startsWith('HEAD -> refs/heads/'));
  return {
    sha,
    branch: head ? head.slice('HEAD -> refs/heads/'.length) : '',
    tags: names.filter((n) => n.startsWith('tag: refs/tags/')).map((n) => n.slice('tag: refs/tags/'.length)),
  };
}

/**
 * Commit, branch, version and source from GitHub's variables, else from the git checkout at root. The source
 * (origin's URL) only labels real builds: `withSource: false` spares a git call when nothing is built.
 */
export async function gitContext(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
  withSource = true,
): Promise<GitContext> {
  const ref = env.GITHUB_REF ?? '';
  const fromGithub = !!(env.GITHUB_REPOSITORY && env.GITHUB_SERVER_URL);
  // Only what GitHub's variables do not say is asked from git: one `git log` gives the commit, the branch and
  // the tags on it (its decorations), and runs next to the remote's URL.
  const needLog = !env.GITHUB_SHA || !ref;
  const [log, remote] = await Promise.all([
    needLog ? git(['log', '-1', '--no-show-signature', '--decorate=full', '--format=%H%x00%D'], root) : '',
    fromGithub || !withSource ? '' : git(['config', '--get', 'remote.origin.url'], root),
  ]);
  const { sha: headSha, branch: headBranch, tags } = parseHead(log);
  const exactTag = ref || env.GITHUB_ACTIONS ? '' : (tags.find((t) => SEMVER.test(t)) ?? tags[0] ?? '');
  const sha = env.GITHUB_SHA || headSha || '0'.repeat(40);
  let branch = '';
  let version = '';
  if (ref.startsWith('refs/tags/')) version = ref.slice('refs/tags/'.length);
  else if (env.GITHUB_HEAD_REF) branch = env.GITHUB_HEAD_REF;
  else if (ref.startsWith('refs/heads/')) branch = ref.slice('refs/heads/'.length);
  else if (!ref) {
    branch = headBranch;
    version = exactTag;
  }
  const source = fromGithub ? githubSource(env) : remote.replace(/\.git$/, '');
  return { sha, branch: branch.replace(/[^A-Za-z0-9_.-]/g, '-'), version, source };
}

const githubSource = (env: NodeJS.ProcessEnv): string => `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`;

/** The repository URL for org.opencontainers.image.source alone (what gitContext(…, false) left out). */
export async function gitSource(root: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.GITHUB_REPOSITORY && env.GITHUB_SERVER_URL) return githubSource(env);
  return (await git(['config', '--get', 'remote.origin.url'], root)).replace(/\.git$/, '');
}
