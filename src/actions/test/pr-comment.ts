/** One PR comment per pull request, found again by a hidden marker and updated (never a second copy). */
import * as github from '@actions/github';

export const COMMENT_MARKER = '<!-- erp-deploy:test-report -->';

export interface CommentTarget {
  owner: string;
  repo: string;
  number: number;
}

/** The pull request this run belongs to, from the event payload; undefined outside pull requests. */
export function pullRequestOf(ctx = github.context): CommentTarget | undefined {
  const pr = ctx.payload.pull_request as { number?: number } | undefined;
  if (!pr?.number) return undefined;
  return { ...ctx.repo, number: pr.number };
}

/** Create or update the report comment; returns what was done and the comment's id. */
export async function upsertComment(
  token: string,
  target: CommentTarget,
  body: string,
): Promise<{ action: 'created' | 'updated'; id: number }> {
  const octokit = github.getOctokit(token);
  const full = `${COMMENT_MARKER}\n${body}`;
  const existing = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.number,
    per_page: 100,
  });
  const mine = existing.find((c) => c.body?.includes(COMMENT_MARKER));
  if (mine) {
    await octokit.rest.issues.updateComment({
      owner: target.owner,
      repo: target.repo,
      comment_id: mine.id,
      body: full,
    });
    return { action: 'updated', id: mine.id };
  }
  const created = await octokit.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: target.number,
    body: full,
  });
  return { action: 'created', id: created.data.id };
}
