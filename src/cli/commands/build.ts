/** `erp-deploy build [services...]`: build the stack's images with progress lines; the image map as JSON. */
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { Register } from './types.js';
import { configPath } from './types.js';
import { loadConfig } from '../../core/config/load.js';
import { InputError } from '../../core/errors.js';
import { buildProject } from '../../core/images/project.js';
import { failureError } from '../../core/images/build.js';
import type { CacheMode } from '../../core/images/builder.js';

interface BuildFlags {
  push?: boolean;
  tag: string[];
  concurrency?: string;
  output?: string;
  buildArg: string[];
  registry?: string;
  /** A mode from --cache, or false from --no-cache (commander pairs the two). */
  cache?: CacheMode | false;
  environment?: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function keyValues(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const i = item.indexOf('=');
    if (i <= 0) throw new InputError(`expected KEY=VALUE, got "${item}"`, undefined, '--build-arg');
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

export const registerBuild: Register = (program, ctx) => {
  program
    .command('build')
    .description('build the images of the stack (only what changed), tag them, optionally push them')
    .argument('[services...]', 'services to build (default: every buildable one)')
    .option('--push', 'push to the registry (credentials from registry.usernameEnv/passwordEnv)')
    .option(
      '-t, --tag <template>',
      'tag template, repeatable ({{sha7}}, {{branch}}, {{version}}, {{env}}, {{date}})',
      collect,
      [],
    )
    .option('-j, --concurrency <n>', 'parallel builds at the most')
    .option('-o, --output <file>', 'write the image map (JSON) to this file')
    .option('--build-arg <KEY=VALUE>', 'build arg for every image, repeatable', collect, [])
    .option('--registry <host>', 'registry host (default registry.host)')
    .addOption(new Option('--cache <mode>', 'builder').choices(['auto', 'buildx', 'buildkit', 'legacy']))
    .option('-e, --environment <name>', "apply an environment's overlays and env; {{env}} in tags")
    .option('--no-cache', 'cold build: ignore content keys and the builder cache')
    .action(async (services: string[], flags: BuildFlags, cmd: Command) => {
      const concurrency = flags.concurrency === undefined ? undefined : Number(flags.concurrency);
      if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
        throw new InputError(
          `expected a whole number ≥ 1, got "${flags.concurrency}"`,
          undefined,
          '--concurrency',
        );
      }
      const config = loadConfig(configPath(cmd));
      const result = await buildProject(config, {
        logger: ctx.logger,
        services,
        tags: flags.tag,
        push: flags.push,
        registry: flags.registry,
        buildArgs: keyValues(flags.buildArg),
        concurrency,
        cache: flags.cache || undefined,
        environment: flags.environment,
        noCache: flags.cache === false,
        onProgress: (line) => ctx.logger.info(line),
      });
      if (flags.output) writeFileSync(flags.output, JSON.stringify(result.images, null, 2) + '\n');
      process.stdout.write(result.markdown);
      for (const f of result.failures) {
        ctx.logger.error([f.message, ...f.logTail.slice(-10)].join('\n'), {
          file: f.dockerfile,
          line: f.line,
        });
      }
      if (result.failures.length) throw failureError(result);
    });
};
