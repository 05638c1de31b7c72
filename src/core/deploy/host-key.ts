/**
 * Host key policy for SSH targets, strictest first:
 * 1. ERP_DEPLOY_SSH_FINGERPRINT=SHA256:… pins the key (as `ssh-keygen -lf` prints it);
 * 2. otherwise a known_hosts file (ERP_DEPLOY_KNOWN_HOSTS, default ~/.ssh/known_hosts) that lists the host
 *    ([host]:port for other ports than 22; hashed entries too) must list this key;
 * 3. otherwise the key is accepted on first use and its fingerprint logged (ssh's accept-new), with a warning
 *    telling how to pin it. Set ERP_DEPLOY_SSH_STRICT=1 to refuse unknown hosts instead.
 */
import { createHash, createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function fingerprint(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

function hostPatterns(host: string, port: number): string[] {
  return port === 22 ? [host, `[${host}]:22`] : [`[${host}]:${port}`];
}

function matchesHost(field: string, names: string[]): boolean {
  return field.split(',').some((entry) => {
    if (entry.startsWith('|1|')) {
      const [, , salt, hash] = entry.split('|');
      return names.some(
        (n) => createHmac('sha1', Buffer.from(salt, 'base64')).update(n).digest('base64') === hash,
      );
    }
    return names.includes(entry);
  });
}

/** Keys (base64 blobs) known_hosts lists for this host, or undefined when the host is not listed. */
export function knownKeys(text: string, host: string, port: number): string[] | undefined {
  const names = hostPatterns(host, port);
  const keys: string[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 3 || parts[0].startsWith('#') || parts[0].startsWith('@')) continue;
    if (matchesHost(parts[0], names)) keys.push(parts[2]);
  }
  return keys.length ? keys : undefined;
}

export interface HostKeyDecision {
  accept: boolean;
  /** Why, for the log (and the error when refused). */
  reason: string;
}

export function decideHostKey(
  key: Buffer,
  host: string,
  port: number,
  env: NodeJS.ProcessEnv = process.env,
): HostKeyDecision {
  const fp = fingerprint(key);
  const pinned = env.ERP_DEPLOY_SSH_FINGERPRINT?.trim();
  if (pinned) {
    return pinned === fp
      ? { accept: true, reason: `host key ${fp} matches ERP_DEPLOY_SSH_FINGERPRINT` }
      : { accept: false, reason: `host key ${fp} does not match ERP_DEPLOY_SSH_FINGERPRINT ${pinned}` };
  }
  const file = env.ERP_DEPLOY_KNOWN_HOSTS || join(homedir(), '.ssh', 'known_hosts');
  const listed = existsSync(file) ? knownKeys(readFileSync(file, 'utf8'), host, port) : undefined;
  if (listed) {
    return listed.includes(key.toString('base64'))
      ? { accept: true, reason: `host key ${fp} is listed in ${file}` }
      : { accept: false, reason: `host key ${fp} differs from the one ${file} lists for ${host}:${port}` };
  }
  if (env.ERP_DEPLOY_SSH_STRICT === '1') {
    return { accept: false, reason: `${host}:${port} is not in ${file} and ERP_DEPLOY_SSH_STRICT=1` };
  }
  return {
    accept: true,
    reason: `host key ${fp} accepted on first use (pin it with ERP_DEPLOY_SSH_FINGERPRINT=${fp})`,
  };
}
