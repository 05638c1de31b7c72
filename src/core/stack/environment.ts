/**
 * The stack an environment deploys: the project's compose.files plus that environment's overlays, interpolated
 * with (lowest to highest precedence) compose.envFiles, the environment's `env` map, then the process
 * environment (as Compose lets the shell override env files; tests move ports this way).
 */
import { cacheDir } from '../cache-dir.js';
import type { ProjectConfig } from '../config/types.js';
import { environmentOf, projectPath } from '../config/load.js';
import { readEnvFile } from './env-file.js';
import { loadStack } from './load.js';
import type { Env } from './interpolate.js';
import type { StackModel } from './types.js';

export function environmentVariables(config: ProjectConfig, envName?: string, env: Env = process.env): Env {
  const fromFiles = Object.assign(
    {},
    ...config.compose.envFiles.map((f) => readEnvFile(projectPath(config, f))),
  );
  const fromConfig = envName ? environmentOf(config, envName).env : {};
  const fromProcess = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
  return { ...fromFiles, ...fromConfig, ...fromProcess };
}

export function stackForEnvironment(
  config: ProjectConfig,
  envName?: string,
  env: Env = process.env,
): StackModel {
  const overlays = envName ? environmentOf(config, envName).overlays : [];
  const files = [...config.compose.files, ...overlays].map((f) => projectPath(config, f));
  return loadStack(files, {
    env: environmentVariables(config, envName, env),
    cwd: config.root,
    cacheDir: cacheDir(process.env),
  });
}
