/**
 * `erp-deploy pipeline`: the reusable workflow (.github/workflows/pipeline.yml) on this machine, through the same
 * core in the same order with the same inputs: test (validate) → build → deploy staging → check staging →
 * deploy production → check production; a failed gate rolls that environment back; production is untouched
 * when staging fails. Prints where to look at the end. Exit 0 passed, 1 failed, 2 bad input.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Register } from './types.js';
import { configPath } from './types.js';
import { loadConfig, environmentOf } from '../../core/config/load.js';
import { InputError } from '../../core/errors.js';
import { parseDuration } from '../../core/duration.js';
import { gitContext } from '../../core/images/tags.js';
import { runPipeline } from '../../core/pipeline/run.js';
import { realSteps } from '../../core/pipeline/steps.js';
import { pipelineMarkdown, pipelineOutputs, whereToLook } from '../../core/pipeline/summary.js';

interface PipelineFlags {
  stagingEnvironment: string;
  productionEnvironment: string;
  registry?: string;
  gatesFile?: string;
  release?: string;
  skipStaging?: boolean;
  skipStagingReason?: string;
  stagingOnly?: boolean;
  checks?: string;
  push?: boolean;
  lockWait: string;
  deadline?: string;
  outputDir: string;
  json?: boolean;
}

export const registerPipeline: Register = (program, ctx) => {
  program
    .command('pipeline')
    .description(
      'run the reusable workflow locally: test → build → staging (gated) → production (gated), rollback on a failed gate',
    )
    .option('--staging-environment <name>', 'environment judged before production', 'staging')
    .option('--production-environment <name>', 'environment deployed after staging passed', 'production')
    .option('--registry <host>', 'registry host (default registry.host)')
    .option('--gates-file <file>', 'gates file (default gates.file)')
    .option('--release <id>', 'release id to build and record (default sha-<first 7 of HEAD>)')
    .option('--skip-staging', 'production hotfix: skip staging (needs --skip-staging-reason)')
    .option('--skip-staging-reason <text>', 'why staging is skipped')
    .option('--staging-only', 'stop after the staging gate')
    .option('--checks <names>', 'static checks of the test step (comma-separated; default all)')
    .option(
      '--push',
      'push the images (implied by --registry; credentials from registry.usernameEnv/passwordEnv)',
    )
    .option('--lock-wait <duration>', 'wait this long for a held deploy lock', '0s')
    .option('--deadline <duration>', 'deadline of each gate run (default gates.deadline)')
    .option(
      '--output-dir <dir>',
      'build metadata and gate reports (the workflow artifacts)',
      'reports/pipeline',
    )
    .option('--json', "print the reusable workflow's outputs as JSON on stdout")
    .action(async (flags: PipelineFlags, cmd: Command) => {
      const config = loadConfig(configPath(cmd));
      environmentOf(config, flags.stagingEnvironment);
      environmentOf(config, flags.productionEnvironment);
      const lockWaitMs = parseDuration(flags.lockWait);
      if (lockWaitMs === undefined) {
        throw new InputError(
          `expected a duration such as 30s or 5m, got "${flags.lockWait}"`,
          undefined,
          '--lock-wait',
        );
      }
      if (flags.skipStagingReason && !flags.skipStaging) {
        throw new InputError(
          'a reason without --skip-staging: add --skip-staging or drop the reason',
          undefined,
          '--skip-staging-reason',
        );
      }
      const git = await gitContext(config.root);
      const release = flags.release ?? `sha-${git.sha.slice(0, 7)}`;
      const outputDir = resolve(flags.outputDir);
      const steps = realSteps({
        config,
        logger: ctx.logger,
        checks: flags.checks?.split(/[\s,]+/).filter(Boolean),
        registry: flags.registry,
        // as the reusable workflow: naming a registry means pushing to it
        push: flags.push ?? (flags.registry ? true : undefined),
        gatesFile: flags.gatesFile,
        deadline: flags.deadline,
        lockWaitMs,
        outputDir,
        sha: git.sha,
        ref: git.branch || undefined,
      });
      const result = await runPipeline(
        steps,
        {
          release,
          stagingEnvironment: flags.stagingEnvironment,
          productionEnvironment: flags.productionEnvironment,
          skipStaging: flags.skipStaging ? { reason: flags.skipStagingReason ?? '' } : undefined,
          stagingOnly: flags.stagingOnly,
        },
        ctx.logger,
      );
      if (flags.json) {
        const outputs = pipelineOutputs(result, flags.stagingEnvironment, flags.productionEnvironment);
        process.stdout.write(
          JSON.stringify({ ok: result.ok, failure: result.failure, release, ...outputs }, null, 2) + '\n',
        );
      } else {
        process.stdout.write(pipelineMarkdown(result));
      }
      ctx.logger.info(
        result.ok ? `pipeline passed: release ${release}` : `pipeline FAILED: ${result.failure}`,
      );
      for (const line of whereToLook(result)) ctx.logger.info(`  ${line}`);
      if (!result.ok) ctx.setExit(1);
    });
};
