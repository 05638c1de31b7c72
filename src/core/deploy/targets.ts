/** Open the target an environment names: local, or ssh:// with the key from the variable sshKeyEnv names. */
import type { EnvironmentConfig } from '../config/types.js';
import { InputError } from '../errors.js';
import type { Logger } from '../log.js';
import { LocalTarget } from './target-local.js';
import { SshTarget } from './target-ssh.js';
import type { Target } from './target.js';

export async function openTarget(
  env: EnvironmentConfig,
  logger: Logger,
  vars: NodeJS.ProcessEnv = process.env,
): Promise<Target> {
  if (env.target === 'local') return new LocalTarget(logger);
  const key = vars[env.sshKeyEnv];
  if (!key?.trim()) {
    throw new InputError(
      `environment "${env.name}" deploys to ${env.target}: set ${env.sshKeyEnv} to the SSH private key (PEM/OpenSSH text)`,
      undefined,
      'sshKeyEnv',
    );
  }
  logger.secret(key);
  return SshTarget.connect(env.target, {
    privateKey: key,
    passphrase: vars[`${env.sshKeyEnv}_PASSPHRASE`] || undefined,
    logger,
    env: vars,
  });
}
