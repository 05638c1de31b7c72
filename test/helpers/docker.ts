/** Test helpers for the real Docker engine: the client that can do BuildKit builds, and cleanup. */
import { existsSync } from 'node:fs';
import { run } from '../../src/core/exec.js';

export const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

export async function docker(...args: string[]): Promise<string> {
  return (await run(DOCKER, args, { timeoutMs: 300_000 })).stdout.trim();
}

export async function dockerQuiet(...args: string[]): Promise<void> {
  await run(DOCKER, args, { timeoutMs: 300_000, ignoreReturnCode: true });
}
