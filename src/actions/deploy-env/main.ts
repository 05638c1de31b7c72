import * as core from '@actions/core';
import { loadConfig } from '../../core/config/load.js';

/** Skeleton: replaced by the action's real implementation. */
export async function main(): Promise<void> {
  core.getInput('environment', { required: true });
  const config = loadConfig(core.getInput('config') || undefined);
  core.info(`project ${config.project}`);
}
