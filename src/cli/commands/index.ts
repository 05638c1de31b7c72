/** Every verb of the CLI, in the order `--help` lists them. */
import type { Register } from './types.js';
import { registerConfig } from './config.js';
import { registerBuild } from './build.js';
import { registerValidate } from './validate.js';
import { registerCheck } from './check.js';
import { registerPipeline } from './pipeline.js';
import { registerDeploy } from './deploy.js';

export const commands: Register[] = [
  registerConfig,
  registerBuild,
  registerValidate,
  registerCheck,
  registerPipeline,
  registerDeploy,
];
