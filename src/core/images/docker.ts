/** Small engine queries and actions the build engine needs, all through exec.run with argument arrays. */
import { run } from '../exec.js';
import { FailedError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { Builder } from './builder.js';

export interface ImageFacts {
  id: string;
  size: number;
  repoDigests: string[];
  labels: Record<string, string>;
}

export async function inspectImage(b: Builder, ref: string): Promise<ImageFacts | undefined> {
  const r = await run(b.client, ['image', 'inspect', '--format', '{{json .}}', ref], {
    env: b.env,
    ignoreReturnCode: true,
    timeoutMs: 30_000,
  });
  if (r.code !== 0) return undefined;
  const j = JSON.parse(r.stdout) as {
    Id: string;
    Size: number;
    RepoDigests?: string[];
    Config?: { Labels?: Record<string, string> };
  };
  return { id: j.Id, size: j.Size, repoDigests: j.RepoDigests ?? [], labels: j.Config?.Labels ?? {} };
}

/** The newest local image carrying label=value, or undefined. */
export async function imageByLabel(b: Builder, label: string, value: string): Promise<string | undefined> {
  const r = await run(b.client, ['image', 'ls', '-q', '--no-trunc', '--filter', `label=${label}=${value}`], {
    env: b.env,
    timeoutMs: 30_000,
  });
  return r.stdout
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)[0];
}

export async function tagImage(b: Builder, id: string, refs: string[]): Promise<void> {
  for (const ref of refs) await run(b.client, ['tag', id, ref], { env: b.env, timeoutMs: 30_000 });
}

export async function pushImage(b: Builder, ref: string, logger: Logger): Promise<void> {
  await run(b.client, ['push', ref], { env: b.env, timeoutMs: 30 * 60_000, logger });
}

/** The registry digest of repository among an image's RepoDigests ('' when it was never pushed). */
export function digestFor(facts: ImageFacts | undefined, repository: string): string {
  const hit = facts?.repoDigests.find((d) => d.startsWith(`${repository}@`));
  return hit ? hit.slice(repository.length + 1) : '';
}

/** `docker login --password-stdin`: the password never reaches a command line or a log. */
export async function login(
  b: Builder,
  host: string,
  username: string,
  password: string,
  logger: Logger,
): Promise<void> {
  logger.secret(password);
  const r = await run(b.client, ['login', host, '--username', username, '--password-stdin'], {
    env: b.env,
    input: password,
    ignoreReturnCode: true,
    timeoutMs: 60_000,
  }).catch((e: unknown) => ({ code: 1, stdout: '', stderr: messageOf(e), ms: 0 }));
  if (r.code !== 0) {
    const last = r.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${r.code}`;
    throw new FailedError(
      `registry login to ${host} as ${username} failed: ${last.split(password).join('***')}; nothing was built or pushed`,
    );
  }
  logger.info(`logged in to ${host} as ${username}`);
}
