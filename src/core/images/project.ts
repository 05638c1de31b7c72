/**
 * build-images for a project: its configuration's compose files (and an environment's overlays), the build
 * section, overridden by what the caller (action inputs, CLI flags) passes. Shared by both front doors.
 */
import { InputError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ProjectConfig } from '../config/types.js';
import { stackForEnvironment } from '../stack/environment.js';
import type { StackModel } from '../stack/types.js';
import { planBuild, type BuildPlan } from './plan.js';
import { buildImages, type BuildResult } from './build.js';
import type { CacheMode } from './builder.js';

export interface BuildRequest {
  logger: Logger;
  services?: string[];
  tags?: string[];
  push?: boolean;
  /** Registry host; overrides registry.host. */
  registry?: string;
  username?: string;
  password?: string;
  buildArgs?: Record<string, string>;
  concurrency?: number;
  cache?: CacheMode;
  environment?: string;
  noCache?: boolean;
  env?: NodeJS.ProcessEnv;
  onProgress?: (line: string) => void;
}

export interface ProjectBuild extends BuildResult {
  model: StackModel;
  plan: BuildPlan;
}

const CACHE_MODES: CacheMode[] = ['auto', 'buildx', 'buildkit', 'legacy'];

export async function buildProject(config: ProjectConfig, req: BuildRequest): Promise<ProjectBuild> {
  const env = req.env ?? process.env;
  const cache = req.cache ?? config.build.cache;
  if (!CACHE_MODES.includes(cache)) {
    throw new InputError(`expected one of ${CACHE_MODES.join(', ')}, got "${cache}"`, undefined, 'cache');
  }
  const host = req.registry ?? config.registry.host;
  const model = await req.logger.group('Load the compose model', async () => {
    const m = stackForEnvironment(config, req.environment, env);
    req.logger.info(`${Object.keys(m.services).length} services from ${m.files.join(', ')}`);
    if (m.unsetVariables.length) req.logger.warn(`unset variables (empty): ${m.unsetVariables.join(', ')}`);
    return m;
  });
  const services = req.services?.length ? req.services : config.build.services;
  const plan = planBuild(model, {
    services,
    buildArgs: { ...config.build.args, ...(req.buildArgs ?? {}) },
    registry: host ? { host, namespace: config.registry.namespace } : undefined,
    project: config.project,
  });
  req.logger.info(
    `plan: ${plan.units.map((u) => `${u.repository} (${u.services.join(', ')})`).join('; ') || 'nothing to build'}` +
      (plan.skipped.length
        ? `; upstream, not rebuilt: ${plan.skipped.map((s) => s.service).join(', ')}`
        : ''),
  );
  const result = await req.logger.group('Build images', () =>
    buildImages(plan, {
      logger: req.logger,
      root: config.root,
      tags: req.tags?.length ? req.tags : config.build.tags,
      concurrency: req.concurrency ?? config.build.concurrency,
      cache,
      push: req.push ?? config.build.push,
      registry: host
        ? {
            host,
            username: req.username ?? env[config.registry.usernameEnv],
            password: req.password ?? env[config.registry.passwordEnv],
          }
        : undefined,
      environment: req.environment,
      noCache: req.noCache,
      env,
      onProgress: req.onProgress,
    }),
  );
  return { ...result, model, plan };
}
