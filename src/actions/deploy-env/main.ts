/**
 * deploy-env: deploy an image map to an environment (or plan, or roll back) through the deploy core, with a
 * GitHub Deployment and its statuses, outputs, and a job-summary table. The post step (same bundle, told apart
 * by saved state) frees the deploy lock if this run still holds it — when the main step was cancelled.
 */
import * as core from '@actions/core';
import * as github from '@actions/github';
import { loadConfig, environmentOf } from '../../core/config/load.js';
import {
  deploy,
  lock,
  planDeploy,
  rollback,
  RolloutFailedError,
  type DeployResult,
} from '../../core/deploy/index.js';
import { startDeployment } from '../../core/github/deployments.js';
import { actionsLogger } from '../common/logger.js';
import { octokitDeployments } from './github.js';
import { getInputs, type Inputs } from './inputs.js';

const LOCK_TOKEN = 'lock-token';
const LOCK_FREED = 'lock-freed';

function variables(inputs: Inputs, sshKeyEnv: string): NodeJS.ProcessEnv {
  return { ...process.env, ...inputs.secrets, ...(inputs.sshKey ? { [sshKeyEnv]: inputs.sshKey } : {}) };
}

function setOutputs(r: DeployResult): void {
  core.setOutput('release-id', r.release.id);
  core.setOutput('previous-release-id', r.previous?.id ?? '');
  core.setOutput('url', r.url);
  core.setOutput('changed', String(r.changed));
}

function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = process.env;
  return server && repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined;
}

export async function main(): Promise<void> {
  core.saveState('is-post', 'true');
  const inputs = getInputs();
  const config = loadConfig(inputs.config);
  const env = environmentOf(config, inputs.environment);
  const ctx = {
    config,
    environment: env.name,
    logger: actionsLogger,
    vars: variables(inputs, env.sshKeyEnv),
  };
  if (inputs.command === 'plan') {
    const plan = await core.group('Plan', () =>
      planDeploy(ctx, { images: inputs.images!, initSwarm: inputs.initSwarm }),
    );
    core.setOutput('changed', String(plan.changed.length > 0));
    core.setOutput('url', env.url);
    await core.summary.addRaw(plan.markdown).write();
    return;
  }
  const ref = inputs.ref ?? github.context.ref ?? '';
  const sha = inputs.sha ?? github.context.sha;
  const tracked = inputs.githubToken
    ? await startDeployment(
        octokitDeployments(inputs.githubToken),
        {
          ref: sha || ref,
          environment: env.name,
          description: `${inputs.command} by erp-deploy`,
          payload: { command: inputs.command, images: inputs.images ?? {}, release: inputs.release },
          productionEnvironment: env.name === 'production',
        },
        actionsLogger,
        runUrl(),
      )
    : undefined;
  const lockOpts = {
    lockWaitMs: inputs.lockWaitMs,
    initSwarm: inputs.initSwarm,
    onLocked: (h: { token: string }) => core.saveState(LOCK_TOKEN, h.token),
  };
  try {
    const result =
      inputs.command === 'rollback'
        ? await rollback(ctx, inputs.release, { ...lockOpts, ref, sha })
        : await deploy(ctx, { ...lockOpts, images: inputs.images!, ref, sha });
    core.saveState(LOCK_FREED, 'true');
    setOutputs(result);
    await tracked?.finish(true, { environmentUrl: env.url, description: `release ${result.release.id}` });
    await core.summary
      .addRaw(result.markdown)
      .addRaw(`\n\nRelease **${result.release.id}** is live at ${env.url}.\n`)
      .write();
  } catch (err) {
    core.saveState(LOCK_FREED, 'true');
    if (err instanceof RolloutFailedError) {
      setOutputs({ ...err.result, release: err.result.release });
      if (err.result.rolledBackTo) core.setOutput('release-id', err.result.rolledBackTo);
      await core.summary.addRaw(err.result.markdown).addRaw(`\n\n**Failed:** ${err.message}\n`).write();
    }
    await tracked?.finish(false, {
      environmentUrl: env.url,
      description: (err as Error).message.slice(0, 140),
    });
    throw err;
  }
}

/** The post step: free the lock this run took if the main step never got to (cancelled or killed). */
export async function post(): Promise<void> {
  const token = core.getState(LOCK_TOKEN);
  if (!token || core.getState(LOCK_FREED) === 'true') return;
  const inputs = getInputs({ post: true });
  const config = loadConfig(inputs.config);
  const env = environmentOf(config, inputs.environment);
  const r = await lock(
    { config, environment: env.name, logger: actionsLogger, vars: variables(inputs, env.sshKeyEnv) },
    'release',
    { token },
  );
  core.info(`post: ${r.message}`);
}
