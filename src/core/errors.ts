/** Errors with a meaning the front doors turn into exit codes: 2 bad input, 1 failed rollout or gate. */

/** Bad input: names the file and the field and says what was expected. Nothing has been changed. */
export class InputError extends Error {
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly file?: string,
    readonly field?: string,
    readonly line?: number,
  ) {
    super([file, field].filter(Boolean).join(': ') + (file || field ? ': ' : '') + message);
    this.name = 'InputError';
  }
}

/** A step ran and failed (a rollout, a gate, a build). */
export class FailedError extends Error {
  readonly exitCode = 1;
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'FailedError';
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof InputError) return 2;
  return 1;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
