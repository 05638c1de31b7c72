/** The erp-deploy CLI: the pipeline's verbs over the same core the actions use. Exit codes: 0 ok, 1 failed, 2 bad input. */
import { Command, CommanderError } from 'commander';
import { exitCodeOf, messageOf } from '../core/errors.js';
import { CliLogger } from './logger.js';
import type { Logger } from '../core/log.js';
import { commands } from './commands/index.js';

export async function main(argv: string[], logger: Logger = new CliLogger()): Promise<number> {
  const program = new Command('erp-deploy')
    .description('Build, deploy and gate the ERP stack (the same core as the GitHub Actions).')
    .option('-c, --config <file>', 'project configuration file', 'erp-deploy.yml')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let code = 0;
  for (const register of commands) {
    register(program, { logger, setExit: (c) => (code = Math.max(code, c)) });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    logger.error(messageOf(err));
    if (process.env.ERP_DEPLOY_DEBUG && err instanceof Error) logger.debug(err.stack ?? '');
    return exitCodeOf(err);
  }
}
