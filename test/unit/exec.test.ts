/** The core's one exec wrapper: arguments without a shell, bounded runs, streamed input and output. */
import { describe, expect, it } from '@jest/globals';
import { PassThrough, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ExecError, run } from '../../src/core/exec.js';

describe('run', () => {
  it('passes arguments as they are (no shell) and collects the output', async () => {
    const r = await run('printf', ['%s|', 'a b', '$HOME', ';']);
    expect(r).toMatchObject({ code: 0, stdout: 'a b|$HOME|;|' });
  });

  it('fails with the last stderr line unless told to ignore the code', async () => {
    const err = await run('sh', ['-c', 'echo first >&2; echo last >&2; exit 3']).catch((e) => e);
    expect(err).toBeInstanceOf(ExecError);
    expect(err.message).toBe('sh -c echo first >&2; echo last >&2; exit 3 exited with 3: last');
    expect((await run('sh', ['-c', 'exit 3'], { ignoreReturnCode: true })).code).toBe(3);
  });

  it('kills a command past its timeout with code 124', async () => {
    const r = await run('sleep', ['5'], { timeoutMs: 200, ignoreReturnCode: true });
    expect(r.code).toBe(124);
    expect(r.stderr).toContain('timed out after 200ms');
  });

  it('pipes a stream into standard input and standard output into a stream (large transfers)', async () => {
    const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(64 * 1024, i));
    const sink = new PassThrough();
    const got: Buffer[] = [];
    sink.on('data', (c: Buffer) => got.push(c));
    const r = await run('cat', [], { input: Readable.from(chunks), stdoutTo: sink });
    expect(r.stdout).toBe('');
    await finished(sink);
    expect(Buffer.concat(got).equals(Buffer.concat(chunks))).toBe(true);
  });
});
