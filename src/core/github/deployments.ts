/**
 * GitHub Deployments around a deploy: create a Deployment for the ref and environment, mark it in_progress,
 * then success (with the environment URL; the Deployment it replaced becomes inactive) or failure.
 * The client is an interface: the action implements it with @actions/github's Octokit, tests with a mock API.
 */
import type { Logger } from '../log.js';
import { messageOf } from '../errors.js';

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive' | 'error' | 'queued';

export interface DeploymentRequest {
  ref: string;
  environment: string;
  description: string;
  /** Recorded with the deployment (release ids, images). */
  payload: Record<string, unknown>;
  productionEnvironment: boolean;
}

export interface DeploymentsClient {
  /** Create a deployment; returns its id. */
  create(req: DeploymentRequest): Promise<number>;
  setStatus(
    id: number,
    state: DeploymentState,
    opts: { environmentUrl?: string; logUrl?: string; description?: string },
  ): Promise<void>;
  /** Ids of earlier deployments to this environment whose latest status is success (newest first). */
  activeDeployments(environment: string, exceptId: number): Promise<number[]>;
}

export interface TrackedDeployment {
  id: number;
  /** Mark the outcome: success (and replaced deployments inactive) or failure. */
  finish(ok: boolean, opts: { environmentUrl?: string; description: string }): Promise<number[]>;
}

/**
 * Start tracking a deploy. GitHub problems never fail the deploy itself: they are logged as warnings and the
 * returned tracker does nothing (a deploy must not depend on github.com answering).
 */
export async function startDeployment(
  client: DeploymentsClient,
  req: DeploymentRequest,
  logger: Logger,
  logUrl?: string,
): Promise<TrackedDeployment | undefined> {
  try {
    const id = await client.create(req);
    await client.setStatus(id, 'in_progress', { logUrl, description: req.description });
    logger.info(`GitHub deployment ${id} (${req.environment}) in progress`);
    return {
      id,
      finish: async (ok, opts) => {
        try {
          await client.setStatus(id, ok ? 'success' : 'failure', { ...opts, logUrl });
          if (!ok) return [];
          const replaced = await client.activeDeployments(req.environment, id);
          for (const old of replaced) {
            await client.setStatus(old, 'inactive', { description: `replaced by deployment ${id}` });
          }
          return replaced;
        } catch (e) {
          logger.warn(`GitHub deployment ${id}: cannot record the outcome: ${messageOf(e)}`);
          return [];
        }
      },
    };
  } catch (e) {
    logger.warn(`GitHub deployment for ${req.environment} not created: ${messageOf(e)}`);
    return undefined;
  }
}
