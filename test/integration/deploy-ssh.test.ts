/**
 * The SSH target against a real sshd on 127.0.0.1:32022: commands with quoted arguments and stdin, files over
 * SFTP with modes, the atomic mkdir the lock relies on, host key pinning, a refused key, an unreachable port,
 * and a connection that drops mid-command (its sshd killed): a prompt rejection, and later operations fail at once.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../src/core/exec.js';
import { InputError } from '../../src/core/errors.js';
import { MemoryLogger } from '../../src/core/log.js';
import { SshTarget } from '../../src/core/deploy/target-ssh.js';
import { acquireLock, LockHeldError, lockStatus, releaseLock } from '../../src/core/deploy/lock.js';
import { statePaths } from '../../src/core/deploy/state.js';
import { startSshd, type Sshd } from '../fixtures/deploy/sshd.js';

jest.setTimeout(120_000);
let sshd: Sshd;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

const connect = (key: string, env: NodeJS.ProcessEnv = { ERP_DEPLOY_SSH_FINGERPRINT: sshd.fingerprint }) =>
  SshTarget.connect(sshd.target, {
    privateKey: key,
    env,
    logger: new MemoryLogger(),
    connectTimeoutMs: 5000,
  });

describe('SSH target', () => {
  it('runs commands with arguments quoted (no shell interpretation) and stdin', async () => {
    const t = await connect(sshd.key);
    try {
      const r = await t.exec('printf', ['%s|', 'a b', "it's", '$HOME', ';rm -rf /']);
      expect(r.stdout).toBe("a b|it's|$HOME|;rm -rf /|");
      expect((await t.exec('cat', [], { input: 'from stdin' })).stdout).toBe('from stdin');
      const failed = await t.exec('sh', ['-c', 'echo oops >&2; exit 3'], { ignoreReturnCode: true });
      expect([failed.code, failed.stderr.trim()]).toEqual([3, 'oops']);
      expect(await t.docker()).toBe('/usr/bin/docker');
    } finally {
      await t.close();
    }
  });

  it('reads and writes files with modes, lists, removes; mkdir is exclusive', async () => {
    const t = await connect(sshd.key);
    const base = join(sshd.dir, 'state');
    try {
      expect(await t.makeDir(join(base, 'a/b'), { mode: 0o700 })).toBe(true);
      await t.writeFile(join(base, 'a/b/secret'), 'value', 0o444);
      expect(statSync(join(base, 'a/b/secret')).mode & 0o777).toBe(0o444);
      expect(statSync(join(base, 'a/b')).mode & 0o777).toBe(0o700);
      expect(await t.readFile(join(base, 'a/b/secret'))).toBe('value');
      await t.appendFile(join(base, 'log'), 'one\n');
      await t.appendFile(join(base, 'log'), 'two\n');
      expect(await t.readFile(join(base, 'log'))).toBe('one\ntwo\n');
      expect(await t.readFile(join(base, 'missing'))).toBeUndefined();
      expect(await t.list(base)).toEqual(['a', 'log']);
      expect(await t.makeDir(join(base, 'lock'), { exclusive: true })).toBe(true);
      expect(await t.makeDir(join(base, 'lock'), { exclusive: true })).toBe(false);
      await t.remove(join(base, 'a'));
      expect(await t.list(base)).toEqual(['lock', 'log']);
    } finally {
      await t.close();
    }
  });

  it('the deploy lock over SSH: a second holder is refused with who and since', async () => {
    const a = await connect(sshd.key);
    const b = await connect(sshd.key);
    const paths = statePaths(join(sshd.dir, 'lockstate'), 'erpt-deploy-ssh');
    try {
      const held = await acquireLock(a, paths, { reason: 'deploy staging', who: 'alice' });
      const err = await acquireLock(b, paths, { reason: 'deploy staging', who: 'bob' }).catch((e) => e);
      expect(err).toBeInstanceOf(LockHeldError);
      expect(err.message).toMatch(new RegExp(`held by alice since ${held.since}`));
      expect(await releaseLock(b, paths, { token: 'not-mine' })).toBe(false);
      expect(await releaseLock(a, paths, { token: held.token })).toBe(true);
      expect(await lockStatus(b, paths)).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses a host key that does not match the pinned fingerprint', async () => {
    const err = await connect(sshd.key, {
      ERP_DEPLOY_SSH_FINGERPRINT: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/host key refused: host key SHA256:\S+ does not match/);
  });

  it('a key the server refuses: a clear InputError', async () => {
    const err = await connect(sshd.refusedKey).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/root@127\.0\.0\.1:32022 refused the SSH key/);
  });

  it('an unreachable port: a clear InputError', async () => {
    const err = await SshTarget.connect('ssh://root@127.0.0.1:32099', { privateKey: sshd.key }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/cannot reach root@127\.0\.0\.1:32099: connection refused/);
  });

  it('the connection drops during a long command: it is rejected at once, and so is every later operation', async () => {
    const t = await connect(sshd.key);
    try {
      const base = join(sshd.dir, 'dropped');
      await t.makeDir(base);
      const long = t.exec('sleep', ['120']);
      const read = t.readFile(join(base, 'missing')); // an SFTP transfer in flight alongside
      // Kill the per-connection sshd processes (children of the listener): the peer is gone for good.
      const master = readFileSync(join(sshd.dir, 'sshd.pid'), 'utf8').trim();
      await new Promise((r) => setTimeout(r, 500));
      const kids = (await run('pgrep', ['-P', master], { ignoreReturnCode: true })).stdout
        .split(/\s+/)
        .filter(Boolean);
      expect(kids.length).toBeGreaterThan(0);
      const cutAt = Date.now();
      for (const pid of kids) process.kill(Number(pid), 'SIGKILL');
      const bounded = async <T>(p: Promise<T>) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<string>(
          (r) => (timer = setTimeout(() => r('still pending 15 s after the cut'), 15_000)),
        );
        const settled = p.then(
          () => 'settled without error',
          (e: Error) => e.message,
        );
        return Promise.race([settled, late]).finally(() => clearTimeout(timer));
      };
      const [cmdOutcome, readOutcome] = await Promise.all([bounded(long), bounded(read)]);
      expect(cmdOutcome).toMatch(/^SSH connection to root@127\.0\.0\.1:32022 lost: .*\(during: sleep 120\)$/);
      expect(Date.now() - cutAt).toBeLessThan(15_000);
      // The SFTP read either finished before the cut (the file is absent) or was rejected the same way.
      expect(readOutcome).toMatch(/^(settled without error|SSH connection to .* lost: .*)$/);
      // Later operations fail at once instead of waiting on the dead connection.
      const t0 = Date.now();
      expect(await bounded(t.exec('true', []))).toMatch(/^SSH connection to .* lost: .*\(during: true\)$/);
      expect(await bounded(t.list(base))).toMatch(/^SSH connection to .* lost: .*\(during: list /);
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      await t.close();
    }
    // The listener itself survives: a new connection works (the post step frees the lock this way).
    const again = await connect(sshd.key);
    try {
      expect((await again.exec('echo', ['back'])).stdout).toBe('back\n');
    } finally {
      await again.close();
    }
  });
});
