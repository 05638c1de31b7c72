import type { Register } from './types.js';
import { configPath } from './types.js';
import { loadConfig } from '../../core/config/load.js';

/** `erp-deploy config`: print the resolved configuration (defaults filled in) as JSON. */
export const registerConfig: Register = (program) => {
  program
    .command('config')
    .description('print the resolved project configuration (defaults filled in)')
    .action((_opts, cmd) => {
      const config = loadConfig(configPath(cmd));
      process.stdout.write(JSON.stringify(config, null, 2) + '\n');
    });
};
