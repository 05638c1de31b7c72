/** Small reads of a target's engine through its docker client: containers by label, image ids, logs. */
import { FailedError, InputError } from '../errors.js';
import type { Health } from './driver.js';
import type { Target } from './target.js';

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  ref: string;
  labels: Record<string, string>;
  status: string;
  running: boolean;
  restarting: boolean;
  restartCount: number;
  exitCode: number;
  health?: string;
  startedAt: string;
}

export async function docker(target: Target, args: string[], timeoutMs = 120_000) {
  return target.exec(await target.docker(), args, { timeoutMs });
}

/** The engine answers, or a clear error naming the target (nothing is changed). */
export async function checkEngine(target: Target): Promise<string> {
  const r = await target.exec(await target.docker(), ['version', '--format', '{{.Server.Version}}'], {
    ignoreReturnCode: true,
    timeoutMs: 20_000,
  });
  if (r.code !== 0) {
    const why = (r.stderr.trim().split('\n').pop() ?? '').slice(0, 300);
    throw new InputError(
      `no Docker engine answers on ${target.description}: ${why || `exit ${r.code}`}`,
      undefined,
      'target',
    );
  }
  return r.stdout.trim();
}

interface RawContainer {
  Id: string;
  Name: string;
  Image: string;
  Config: { Image: string; Labels: Record<string, string> | null };
  State: {
    Status: string;
    Running: boolean;
    Restarting: boolean;
    ExitCode: number;
    StartedAt: string;
    Health?: { Status: string };
  };
  RestartCount: number;
}

export async function containers(target: Target, filters: string[], all = true): Promise<ContainerInfo[]> {
  const args = ['ps', '-q', '--no-trunc', ...(all ? ['-a'] : []), ...filters.flatMap((f) => ['--filter', f])];
  const ids = (await docker(target, args)).stdout.split('\n').filter(Boolean);
  if (!ids.length) return [];
  const r = await target.exec(await target.docker(), ['inspect', ...ids], { ignoreReturnCode: true });
  if (r.code !== 0 && !r.stdout.trim().startsWith('[')) return [];
  return (JSON.parse(r.stdout) as RawContainer[]).map((c) => ({
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    image: c.Image,
    ref: c.Config.Image,
    labels: c.Config.Labels ?? {},
    status: c.State.Status,
    running: c.State.Running,
    restarting: c.State.Restarting,
    restartCount: c.RestartCount,
    exitCode: c.State.ExitCode,
    health: c.State.Health?.Status,
    startedAt: c.State.StartedAt,
  }));
}

export function healthOf(c: ContainerInfo | undefined): Health {
  if (!c) return 'missing';
  if (!c.running || c.restarting) return 'stopped';
  if (!c.health) return 'running';
  return c.health === 'healthy' ? 'healthy' : c.health === 'unhealthy' ? 'unhealthy' : 'starting';
}

/** Image id of a reference on the target, or '' when the target does not have it. */
export async function imageId(target: Target, ref: string): Promise<string> {
  const r = await target.exec(await target.docker(), ['image', 'inspect', '--format', '{{.Id}}', ref], {
    ignoreReturnCode: true,
  });
  return r.code === 0 ? r.stdout.trim() : '';
}

export async function lastLogLines(target: Target, container: string, n = 5): Promise<string> {
  const r = await target.exec(await target.docker(), ['logs', '--tail', String(n), container], {
    ignoreReturnCode: true,
  });
  return (r.stdout + r.stderr).trim().split('\n').slice(-n).join(' | ').slice(0, 500);
}

export class RolloutError extends FailedError {
  constructor(
    message: string,
    readonly service?: string,
  ) {
    super(message);
    this.name = 'RolloutError';
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
