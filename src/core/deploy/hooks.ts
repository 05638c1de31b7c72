/**
 * Kamal-style hooks: the environment's hooks.preDeploy / hooks.postDeploy commands run on the runner (not the
 * target) through `sh -c`, with ERP_* variables describing the deploy. A failing pre-deploy hook stops the
 * deploy before anything changes; a failing post-deploy hook is reported and fails the step, the release stays.
 */
import { FailedError } from '../errors.js';
import { run } from '../exec.js';
import type { Logger } from '../log.js';

export interface HookVars {
  ERP_COMMAND: 'deploy' | 'rollback';
  ERP_ENVIRONMENT: string;
  ERP_PROJECT: string;
  ERP_DRIVER: string;
  ERP_TARGET: string;
  ERP_URL: string;
  ERP_RELEASE: string;
  ERP_PREVIOUS_RELEASE: string;
  ERP_PERFORMER: string;
  ERP_SERVICES: string;
  ERP_OUTCOME?: string;
  ERP_RUNTIME?: string;
}

export async function runHooks(
  kind: 'preDeploy' | 'postDeploy',
  commands: string[],
  vars: HookVars,
  logger: Logger,
  cwd: string,
): Promise<void> {
  for (const command of commands) {
    logger.info(`hook ${kind}: ${command}`);
    const r = await run('sh', ['-c', command], {
      cwd,
      env: { ...process.env, ...vars },
      ignoreReturnCode: true,
      timeoutMs: 10 * 60 * 1000,
    });
    for (const line of (r.stdout + r.stderr).trim().split('\n').filter(Boolean)) logger.info(`  ${line}`);
    if (r.code !== 0) throw new FailedError(`${kind} hook \`${command}\` exited with ${r.code}`);
  }
}
