/** Registry steps of the build engine through the docker CLI: login (password on stdin) and push. */
import { run } from '../exec.js';
import { FailedError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { Builder } from './builder.js';
import type { ImageFacts } from './engine.js';

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
