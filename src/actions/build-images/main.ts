/** build-images: inputs → buildProject → outputs `images` and `summary`, a job-summary table, annotations. */
import * as core from '@actions/core';
import { loadConfig } from '../../core/config/load.js';
import { buildProject } from '../../core/images/project.js';
import { failureError } from '../../core/images/build.js';
import { actionsLogger } from '../common/logger.js';
import { getInputs } from './inputs.js';

export async function main(): Promise<void> {
  const inputs = getInputs();
  const config = loadConfig(inputs.config);
  const result = await buildProject(config, {
    logger: actionsLogger,
    services: inputs.services,
    tags: inputs.tags,
    push: inputs.push,
    registry: inputs.registry,
    username: inputs.registryUsername,
    password: inputs.registryPassword,
    buildArgs: inputs.buildArgs,
    concurrency: inputs.concurrency,
    cache: inputs.cache,
    environment: inputs.environment,
    noCache: inputs.noCache,
    onProgress: (line) => core.info(line),
  });
  core.setOutput('images', JSON.stringify(result.images));
  core.setOutput('summary', result.markdown);
  await core.summary.addRaw(result.markdown).write();
  for (const f of result.failures) {
    core.error([f.message, ...f.logTail.slice(-10)].join('\n'), {
      file: f.dockerfile,
      startLine: f.line,
      title: `build-images: ${f.service} failed`,
    });
  }
  if (result.failures.length) throw failureError(result);
  core.info(
    `${Object.keys(result.images).length} images in ${result.seconds}s (builder: ${result.builder?.kind ?? 'none needed'})`,
  );
}
