/** Runs an action's main and turns any error into a failed step with an annotation (never a stack trace). */
import * as core from '@actions/core';
import { InputError, messageOf } from '../../core/errors.js';

export async function runAction(main: () => Promise<void>): Promise<void> {
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
  }
}
