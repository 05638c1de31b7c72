/** The deploy core: commands, types, and the Target / Driver interfaces a new target or driver implements. */
export { deploy, planDeploy, rollback, releases, lock } from './deploy.js';
export type { DeployOptions, ReleaseList, LockAction, LockResult } from './deploy.js';
export type { DeployContext, LockOptions } from './session.js';
export { RolloutFailedError, type DeployResult } from './rollout.js';
export { LockHeldError, type LockHolder } from './lock.js';
export type { Release, ReleaseOutcome, ReleaseService } from './releases.js';
export type { DeployPlan, ServicePlan, ServiceAction } from './plan.js';
export { planMarkdown } from './plan.js';
export type { Target, TargetExecOptions } from './target.js';
export type { Driver, ApplyRequest, ApplyResult, RunningService, Health } from './driver.js';
export { drivers } from './drivers.js';
export { openTarget } from './targets.js';
export { LocalTarget } from './target-local.js';
export { SshTarget, parseSshTarget } from './target-ssh.js';
export { statePaths } from './state.js';
