/**
 * Image queries and tags through the Docker Engine API on its unix socket (a few ms each, where a CLI call
 * costs ~50 ms): what makes a no-op run of build-images fast. Falls back to the docker CLI when the engine is
 * not on a local socket (DOCKER_HOST=tcp://…, ssh://…). Builds, login and push always use the CLI.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { run } from '../exec.js';
import { FailedError, messageOf } from '../errors.js';

export interface ImageFacts {
  id: string;
  size: number;
  repoDigests: string[];
  labels: Record<string, string>;
}

export interface Engine {
  /** How the engine is reached, for the log. */
  readonly via: string;
  /** Throws a clear error when the engine does not answer. */
  ping(): Promise<void>;
  inspect(ref: string): Promise<ImageFacts | undefined>;
  tag(id: string, ref: string): Promise<void>;
}

interface RawImage {
  Id: string;
  Size: number;
  RepoDigests?: string[] | null;
  Config?: { Labels?: Record<string, string> | null };
}

const facts = (j: RawImage): ImageFacts => ({
  id: j.Id,
  size: j.Size,
  repoDigests: j.RepoDigests ?? [],
  labels: j.Config?.Labels ?? {},
});

/** Split repo[:tag] for the tag endpoint (a registry port is not a tag). */
function repoTag(ref: string): { repo: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/')
    ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) }
    : { repo: ref, tag: 'latest' };
}

class SocketEngine implements Engine {
  readonly via: string;
  constructor(private readonly socketPath: string) {
    this.via = `engine API on ${socketPath}`;
  }

  private call(method: string, path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      // Its own connection per call, no agent: the engine is local and an agent's bookkeeping costs more here.
      const connection = () => connect(this.socketPath);
      const req = request({ createConnection: connection, method, path, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on('timeout', () => req.destroy(new Error(`engine API ${method} ${path} timed out`)));
      req.on('error', reject);
      req.end();
    });
  }

  private async ok(method: string, path: string): Promise<string> {
    const r = await this.call(method, path);
    if (r.status >= 300) {
      const msg = (() => {
        try {
          return (JSON.parse(r.body) as { message?: string }).message ?? r.body;
        } catch {
          return r.body;
        }
      })();
      throw new Error(`engine API ${method} ${path}: ${r.status} ${msg.trim()}`);
    }
    return r.body;
  }

  async ping(): Promise<void> {
    await this.ok('GET', '/_ping').catch((e: unknown) => {
      throw new FailedError(
        `no Docker engine answers on ${this.socketPath} (${messageOf(e)}); start one (scripts/engine.sh)`,
      );
    });
  }

  async inspect(ref: string): Promise<ImageFacts | undefined> {
    const r = await this.call('GET', `/images/${encodeURIComponent(ref)}/json`);
    if (r.status === 404) return undefined;
    if (r.status >= 300) throw new Error(`engine API inspect ${ref}: ${r.status} ${r.body.trim()}`);
    return facts(JSON.parse(r.body) as RawImage);
  }

  async tag(id: string, ref: string): Promise<void> {
    const { repo, tag } = repoTag(ref);
    await this.ok(
      'POST',
      `/images/${encodeURIComponent(id)}/tag?repo=${encodeURIComponent(repo)}&tag=${encodeURIComponent(tag)}`,
    );
  }
}

class CliEngine implements Engine {
  readonly via: string;
  constructor(
    private readonly client: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.via = `${client} CLI`;
  }

  async ping(): Promise<void> {
    const r = await run(this.client, ['version', '--format', '{{.Server.Version}}'], {
      env: this.env,
      ignoreReturnCode: true,
      timeoutMs: 30_000,
    }).catch((e: unknown) => ({ code: 1, stdout: '', stderr: messageOf(e), ms: 0 }));
    if (r.code !== 0 || !r.stdout.trim()) {
      const last = r.stderr.trim().split('\n').pop() ?? '';
      throw new FailedError(
        `no Docker engine answers through ${this.client} (${last}); start one (scripts/engine.sh)`,
      );
    }
  }

  async inspect(ref: string): Promise<ImageFacts | undefined> {
    const r = await run(this.client, ['image', 'inspect', '--format', '{{json .}}', ref], {
      env: this.env,
      ignoreReturnCode: true,
      timeoutMs: 30_000,
    });
    return r.code === 0 ? facts(JSON.parse(r.stdout) as RawImage) : undefined;
  }

  async tag(id: string, ref: string): Promise<void> {
    await run(this.client, ['tag', id, ref], { env: this.env, timeoutMs: 30_000 });
  }
}

/** The local socket of DOCKER_HOST (or the default one), if it exists. */
export function localSocket(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const host = env.DOCKER_HOST;
  if (host && !host.startsWith('unix://')) return undefined;
  if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== 'default') return undefined;
  const path = host ? host.slice('unix://'.length) : '/var/run/docker.sock';
  return existsSync(path) ? path : undefined;
}

export function engineFor(env: NodeJS.ProcessEnv = process.env, client = 'docker'): Engine {
  const socket = localSocket(env);
  return socket ? new SocketEngine(socket) : new CliEngine(client, env);
}
