/**
 * Secrets reach services as files: <state>/secrets/<name>, mode 0444 in a 0700 directory (Compose bind-mounts
 * file secrets, so non-root container users must be able to read the file; the directory keeps everyone else
 * out). Values come from the environment variables the environment's `secrets` map names; they travel to the
 * target through SFTP or a local write, never on a command line, and are registered with the logger first.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { EnvironmentConfig } from '../config/types.js';
import { InputError } from '../errors.js';
import type { Logger } from '../log.js';
import type { StatePaths } from './state.js';
import type { Target } from './target.js';

export interface SecretFile {
  name: string;
  path: string;
  /** First 12 hex characters of the value's sha256: Swarm secrets are immutable, so their name carries it. */
  hash: string;
}

/** Read every secret the environment declares; a missing or empty one is bad input (nothing written yet). */
export function readSecretValues(
  env: EnvironmentConfig,
  vars: NodeJS.ProcessEnv,
  logger: Logger,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, variable] of Object.entries(env.secrets)) {
    const value = vars[variable];
    if (!value) {
      throw new InputError(
        `secret "${name}" needs the environment variable ${variable} (empty or unset)`,
        undefined,
        `environments.${env.name}.secrets.${name}`,
      );
    }
    logger.secret(value);
    out[name] = value;
  }
  return out;
}

export function secretFiles(paths: StatePaths, values: Record<string, string>): SecretFile[] {
  return Object.entries(values).map(([name, value]) => ({
    name,
    path: posix.join(paths.secrets, name),
    hash: createHash('sha256').update(value).digest('hex').slice(0, 12),
  }));
}

export async function writeSecrets(
  target: Target,
  paths: StatePaths,
  values: Record<string, string>,
): Promise<SecretFile[]> {
  await target.makeDir(paths.secrets, { mode: 0o700 });
  const files = secretFiles(paths, values);
  for (const f of files) await target.writeFile(f.path, values[f.name], 0o444);
  return files;
}
