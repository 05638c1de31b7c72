/** deploy-env's inputs, read once into one typed object (action.yml documents each). */
import { existsSync, readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { InputError } from '../../core/errors.js';
import { parseDuration } from '../../core/duration.js';
import type { ImageMap } from '../../core/images/types.js';
import { getBool, getKeyValues, getOptional } from '../common/inputs.js';

export type Command = 'deploy' | 'plan' | 'rollback';

export interface Inputs {
  config?: string;
  environment: string;
  command: Command;
  /** The image map (JSON text or a file holding it); required for deploy and plan. */
  images?: ImageMap;
  /** Release for rollback: an id or "previous". */
  release: string;
  lockWaitMs: number;
  sshKey?: string;
  /** Extra variables (secrets) as KEY=VALUE lines; every value is masked. */
  secrets: Record<string, string>;
  githubToken?: string;
  ref?: string;
  sha?: string;
  initSwarm: boolean;
}

export function parseImages(text: string): ImageMap {
  const source = text.trim().startsWith('{')
    ? text
    : existsSync(text)
      ? readFileSync(text, 'utf8')
      : undefined;
  if (source === undefined) {
    throw new InputError(
      'expected the image map as JSON (build-images output `images`) or a path to a JSON file',
      undefined,
      'images',
    );
  }
  try {
    const map = JSON.parse(source) as unknown;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new Error('not an object');
    return map as ImageMap;
  } catch (e) {
    throw new InputError(`not a JSON image map: ${(e as Error).message}`, undefined, 'images');
  }
}

/** The step's inputs; the post step (which only frees a lock) does not need the image map. */
export function getInputs(opts: { post?: boolean } = {}): Inputs {
  const environment = core.getInput('environment', { required: true });
  const command = (getOptional('command') ?? 'deploy') as Command;
  if (!['deploy', 'plan', 'rollback'].includes(command)) {
    throw new InputError(`expected deploy, plan or rollback, got "${command}"`, undefined, 'command');
  }
  const secrets = getKeyValues('secrets');
  for (const v of Object.values(secrets)) core.setSecret(v);
  const sshKey = getOptional('ssh-key');
  if (sshKey) core.setSecret(sshKey);
  const token = getOptional('github-token');
  const imagesText = getOptional('images');
  if (!imagesText && command !== 'rollback' && !opts.post) {
    throw new InputError(`the ${command} command needs the images input`, undefined, 'images');
  }
  const wait = getOptional('lock-wait') ?? '0';
  const lockWaitMs = parseDuration(wait);
  if (lockWaitMs === undefined)
    throw new InputError(`expected a duration like 5m, got "${wait}"`, undefined, 'lock-wait');
  return {
    config: getOptional('config'),
    environment,
    command,
    images: imagesText && !opts.post ? parseImages(imagesText) : undefined,
    release: getOptional('release') ?? 'previous',
    lockWaitMs,
    sshKey,
    secrets,
    githubToken: token,
    ref: getOptional('ref'),
    sha: getOptional('sha'),
    initSwarm: getBool('init-swarm', false),
  };
}
