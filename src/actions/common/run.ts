/** Runs an action's main and turns any error into a failed step with an annotation (never a stack trace). */
import * as core from '@actions/core';
import { InputError, messageOf } from '../../core/errors.js';

/**
 * Runs main; `unfinished` runs (synchronously) if the process exits before main has settled — a promise that can
 * never settle lets Node run out of work and exit; the step then says so loudly instead of ending without its
 * outputs (smoke-check sets its verdict to error there, so the pipeline rolls back).
 */
export async function runAction(main: () => Promise<void>, unfinished?: () => void): Promise<void> {
  const guard = (code: number): void => {
    // Node passes 0 here and sets 13 afterwards for a top-level await that never settled.
    const exit = Number(process.exitCode) || code || 13;
    core.error(
      `erp-deploy: the step ended before it finished (exit code ${exit}): it was waiting for something that can no longer happen`,
    );
    unfinished?.();
    process.exitCode = exit;
  };
  process.once('exit', guard);
  try {
    await main();
  } catch (err) {
    if (err instanceof InputError && err.file) {
      core.error(err.message, { file: err.file, startLine: err.line, title: 'erp-deploy: bad input' });
      process.exitCode = 1;
    } else {
      core.setFailed(messageOf(err));
    }
    if (process.env.RUNNER_DEBUG === '1' && err instanceof Error && err.stack) core.debug(err.stack);
  } finally {
    process.off('exit', guard);
  }
}
