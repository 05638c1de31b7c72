/** The Deployments client over @actions/github's Octokit (GITHUB_API_URL decides which API it talks to). */
import * as github from '@actions/github';
import type { DeploymentRequest, DeploymentState, DeploymentsClient } from '../../core/github/deployments.js';

export function octokitDeployments(token: string, repo = github.context.repo): DeploymentsClient {
  const octokit = github.getOctokit(token, {
    baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
  });
  return {
    async create(req: DeploymentRequest): Promise<number> {
      const r = await octokit.rest.repos.createDeployment({
        ...repo,
        ref: req.ref,
        environment: req.environment,
        description: req.description,
        payload: req.payload as { [key: string]: unknown },
        auto_merge: false,
        required_contexts: [],
        production_environment: req.productionEnvironment,
        transient_environment: false,
      });
      if (!('id' in r.data))
        throw new Error(`GitHub did not create the deployment: ${JSON.stringify(r.data)}`);
      return r.data.id;
    },
    async setStatus(id: number, state: DeploymentState, opts) {
      await octokit.rest.repos.createDeploymentStatus({
        ...repo,
        deployment_id: id,
        state,
        description: opts.description?.slice(0, 140),
        environment_url: opts.environmentUrl,
        log_url: opts.logUrl,
        auto_inactive: false,
      });
    },
    async activeDeployments(environment: string, exceptId: number): Promise<number[]> {
      const list = await octokit.rest.repos.listDeployments({ ...repo, environment, per_page: 30 });
      const out: number[] = [];
      for (const d of list.data) {
        if (d.id === exceptId) continue;
        const statuses = await octokit.rest.repos.listDeploymentStatuses({
          ...repo,
          deployment_id: d.id,
          per_page: 1,
        });
        if (statuses.data[0]?.state === 'success') out.push(d.id);
      }
      return out;
    },
  };
}
