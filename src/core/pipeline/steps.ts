/**
 * The pipeline's steps over the real core — the same functions the four actions call:
 * test → runValidation (src/core/validate), build → buildProject (src/core/images), deploy/rollback →
 * deploy/rollback (src/core/deploy), check → runChecks (src/core/gates). Failures become outcomes the
 * orchestration judges; bad input stays an InputError (exit 2, nothing deployed).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FailedError, InputError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { ProjectConfig } from '../config/types.js';
import { runValidation } from '../validate/runner.js';
import { buildProject } from '../images/project.js';
import { deploy, rollback, RolloutFailedError, type DeployResult } from '../deploy/index.js';
import { runChecks } from '../gates/run.js';
import type { DeployOutcome, PipelineSteps } from './types.js';

export interface RealStepOptions {
  config: ProjectConfig;
  logger: Logger;
  /** Static checks to run (default all), as actions/test's `checks`. */
  checks?: string[];
  /** Registry host (default registry.host) and whether to push, as build-images' inputs. */
  registry?: string;
  push?: boolean;
  gatesFile?: string;
  deadline?: string;
  lockWaitMs?: number;
  /** Where build metadata and gate reports go (the workflow's artifacts). */
  outputDir: string;
  ref?: string;
  sha?: string;
  /** Variables for secrets, credentials and interpolation (default process.env). */
  vars?: NodeJS.ProcessEnv;
}

function outcomeOf(r: DeployResult, ok: boolean, message?: string): DeployOutcome {
  return {
    ok,
    releaseId: r.release.id,
    previousReleaseId: r.previous?.id ?? '',
    url: r.url,
    changed: r.changed,
    rolledBackTo: r.rolledBackTo,
    message,
  };
}

export function realSteps(o: RealStepOptions): PipelineSteps {
  const { config, logger } = o;
  const vars = o.vars ?? process.env;
  const out = (name: string): string => {
    mkdirSync(o.outputDir, { recursive: true });
    return join(o.outputDir, name);
  };
  return {
    async test() {
      const report = await runValidation({
        root: config.root,
        config: config.file,
        checks: o.checks,
        logger,
        env: vars,
      });
      if (report.configProblem) throw new InputError(report.configProblem, config.file);
      for (const r of report.results.filter((x) => x.status === 'failed')) {
        for (const f of r.findings.filter((x) => x.severity === 'error')) {
          logger.error(`[${r.name}${f.rule ? ` ${f.rule}` : ''}] ${f.message}`, {
            file: f.file,
            line: f.line,
          });
        }
      }
      return { ok: report.ok, failedChecks: report.failed };
    },

    async build(release) {
      const user = vars[config.registry.usernameEnv];
      const password = vars[config.registry.passwordEnv];
      if (password) logger.secret(password);
      const r = await buildProject(config, {
        logger,
        tags: [release],
        push: o.push,
        registry: o.registry,
        username: user,
        password,
        env: vars,
        onProgress: (line) => logger.info(line),
      });
      const metadataPath = out('images.json');
      writeFileSync(metadataPath, JSON.stringify(r.images, null, 2) + '\n');
      for (const f of r.failures)
        logger.error([f.message, ...f.logTail.slice(-10)].join('\n'), { file: f.dockerfile, line: f.line });
      return { ok: r.failures.length === 0, images: r.images, metadataPath };
    },

    async deploy(req) {
      const ctx = { config, environment: req.environment, logger, vars };
      try {
        const r = await deploy(ctx, { images: req.images, lockWaitMs: o.lockWaitMs, ref: o.ref, sha: o.sha });
        return outcomeOf(r, true);
      } catch (err) {
        if (err instanceof RolloutFailedError) return outcomeOf(err.result, false, err.message);
        throw err;
      }
    },

    async check(req) {
      const r = await runChecks({
        config,
        environment: req.environment,
        gatesFile: o.gatesFile,
        deadline: o.deadline,
        release: req.release,
        baseline: req.baselineRelease ? 'previous' : 'none',
        baselineRelease: req.baselineRelease || undefined,
        reportDir: out(`gates-${req.environment}`),
        logger,
        onProbe: (p) => logger.info(`probe ${p.name}: ${p.ok ? 'ok' : p.message} (${p.ms} ms)`),
      });
      const reportPath = out(`gates-${req.environment}.md`);
      writeFileSync(reportPath, r.markdown + '\n');
      return { verdict: r.verdict, failedGates: r.failedGates, reportPath: r.htmlPath || reportPath };
    },

    async rollback(req) {
      const ctx = { config, environment: req.environment, logger, vars };
      try {
        logger.info(`rolling ${req.environment} back: ${req.reason}`);
        const r = await rollback(ctx, req.toRelease || 'previous', {
          lockWaitMs: o.lockWaitMs,
          ref: o.ref,
          sha: o.sha,
        });
        return { ok: true, releaseId: r.release.id };
      } catch (err) {
        // "nothing to roll back to" is a failed rollback here, not bad input to the pipeline
        if (err instanceof InputError || err instanceof FailedError) {
          return { ok: false, releaseId: '', message: messageOf(err) };
        }
        throw err;
      }
    },
  };
}
