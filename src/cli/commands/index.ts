/** Every verb of the CLI, in the order `--help` lists them. */
import type { Register } from './types.js';
import { registerConfig } from './config.js';

export const commands: Register[] = [registerConfig];
