import type { Command } from 'commander';
import type { Logger } from '../../core/log.js';

export interface CliContext {
  logger: Logger;
  /** Record a non-zero exit (1 failed gate/rollout) without throwing. */
  setExit(code: number): void;
}

/** Each verb lives in its own file and registers itself on the program. */
export type Register = (program: Command, ctx: CliContext) => void;

/** The global --config option, as every verb sees it. */
export function configPath(cmd: Command): string {
  return (cmd.optsWithGlobals() as { config: string }).config;
}
