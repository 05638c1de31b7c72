/** runAction: errors become a failed step; a process that exits while main is still pending says so and fails. */
import { afterEach, expect, it, jest } from '@jest/globals';
import { runAction } from '../../src/actions/common/run.js';
import { InputError } from '../../src/core/errors.js';

let written: string[] = [];
const savedExitCode = process.exitCode;
const capture = () => {
  written = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
};

afterEach(() => {
  jest.restoreAllMocks();
  process.exitCode = savedExitCode;
});

it('a main that throws fails the step with its message, and the exit guard is removed', async () => {
  capture();
  const before = process.listenerCount('exit');
  await runAction(async () => {
    throw new Error('the engine did not answer');
  });
  expect(written.join('')).toContain('::error::the engine did not answer');
  expect(process.exitCode).toBe(1);
  expect(process.listenerCount('exit')).toBe(before);
});

it('bad input is an annotation on the file and line', async () => {
  capture();
  await runAction(async () => {
    throw new InputError('expected a duration', 'erp-deploy.yml', 'gates.deadline', 7);
  });
  expect(written.join('')).toContain(
    '::error title=erp-deploy%3A bad input,file=erp-deploy.yml,line=7::erp-deploy.yml: gates.deadline: expected a duration',
  );
  expect(process.exitCode).toBe(1);
});

it('an exit while main still waits is an error, runs the unfinished hook and keeps a non-zero code', async () => {
  capture();
  const unfinished = jest.fn();
  // A main whose promise can never settle: Node would exit with nothing left to do (code 13 for a module).
  void runAction(() => new Promise<void>(() => undefined), unfinished);
  await new Promise((r) => setImmediate(r));
  process.emit('exit', 13);
  expect(unfinished).toHaveBeenCalledTimes(1);
  expect(written.join('')).toContain(
    '::error::erp-deploy: the step ended before it finished (exit code 13): it was waiting for something that can no longer happen',
  );
  expect(process.exitCode).toBe(13);
  // once only: the guard is gone after it ran
  process.emit('exit', 0);
  expect(unfinished).toHaveBeenCalledTimes(1);
});

it('a clean exit after main finished does not trigger the guard', async () => {
  capture();
  const unfinished = jest.fn();
  await runAction(async () => undefined, unfinished);
  process.emit('exit', 0);
  expect(unfinished).not.toHaveBeenCalled();
  expect(written.join('')).toBe('');
});
