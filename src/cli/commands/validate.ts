/** `erp-deploy validate`: the PR checks' static checks in a terminal; `erp-deploy init`: a starter configuration. */
import { resolve, dirname } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { Register } from './types.js';
import { configPath } from './types.js';
import {
  runValidation,
  validationMarkdown,
  validationText,
  missingFiles,
  formatMissing,
  tryLoadConfig,
  writeStarter,
  CHECK_NAMES,
  where,
} from '../../core/validate/index.js';

const list = (v: string): string[] => v.split(/[\s,]+/).filter(Boolean);

export const registerValidate: Register = (program, ctx) => {
  program
    .command('validate')
    .description(`static checks of everything deployable (${CHECK_NAMES.join(', ')})`)
    .option('--checks <names>', 'comma-separated checks to run (default: all)', list)
    .option('--base-ref <ref>', 'secret-scan only the change since this git ref')
    .option('--markdown <file>', 'also write the report as markdown')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (opts: { checks?: string[]; baseRef?: string; markdown?: string; json?: boolean }, cmd) => {
      const configFile = resolve(configPath(cmd));
      const root = dirname(configFile);
      const { config, problem } = tryLoadConfig(root, configFile);
      const missing = missingFiles(root, config, configFile);
      if (!config) {
        ctx.logger.error(problem ?? 'no configuration');
        if (missing.length) ctx.logger.info(formatMissing(missing));
        ctx.setExit(2);
        return;
      }
      const report = await runValidation({
        root,
        config,
        checks: opts.checks,
        baseRef: opts.baseRef,
        logger: ctx.logger,
      });
      if (opts.markdown) writeFileSync(opts.markdown, validationMarkdown(report));
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        for (const r of report.results)
          for (const f of r.findings)
            process.stdout.write(
              `${where(f)}: ${f.severity}: [${r.name}${f.rule ? ` ${f.rule}` : ''}] ${f.message}\n`,
            );
        process.stdout.write(validationText(report) + '\n');
      }
      if (missing.length) ctx.logger.info(formatMissing(missing));
      ctx.setExit(report.ok ? 0 : 1);
    });

  program
    .command('init')
    .description('write a starter erp-deploy.yml and list what else the repository needs')
    .option('--force', 'overwrite an existing configuration')
    .action((opts: { force?: boolean }, cmd) => {
      const configFile = resolve(configPath(cmd));
      const result = writeStarter(dirname(configFile), { force: opts.force, file: configFile });
      ctx.logger.info(`wrote ${result.file}`);
      ctx.logger.info(
        result.missing.length
          ? formatMissing(result.missing)
          : 'every file the configuration names exists: run `erp-deploy validate`',
      );
    });
};
