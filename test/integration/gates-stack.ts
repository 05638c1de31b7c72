/**
 * A real monitoring stack for the smoke-check tests and benchmark: small Node HTTP servers exposing Prometheus
 * text metrics (healthy, erroring, slow — or nothing at all for "down"), the host's real `prometheus` scraping
 * them every second, and a runner for the bundled action. Ports 33000-33099 on 127.0.0.1 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Mode = 'healthy' | 'erroring' | 'broken' | 'slow';

/** Per-second request rate and error share of each behaviour; latency histogram buckets. */
const BEHAVIOUR: Record<Mode, { errorShare: number; latency: number }> = {
  healthy: { errorShare: 0, latency: 0.02 },
  erroring: { errorShare: 0.2, latency: 0.02 },
  broken: { errorShare: 0.5, latency: 0.02 },
  slow: { errorShare: 0, latency: 1.5 },
};
const RATE = 20;
const BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** A target whose counters grow with time as if it served RATE requests per second in its current mode. */
export class Target {
  private ok = 0;
  private errors = 0;
  private buckets = BUCKETS.map(() => 0);
  private sum = 0;
  private last = Date.now();
  server?: Server;
  constructor(
    readonly name: string,
    readonly port: number,
    public mode: Mode,
    /** Bearer token /health/live expects (checks the probe sends its secret header). */
    private readonly token: string,
  ) {}

  /** Integrate traffic up to now in the current mode (called before a mode change and on each scrape). */
  private advance(): void {
    const now = Date.now();
    const n = (RATE * (now - this.last)) / 1000;
    this.last = now;
    const b = BEHAVIOUR[this.mode];
    this.errors += n * b.errorShare;
    this.ok += n * (1 - b.errorShare);
    this.sum += n * b.latency;
    BUCKETS.forEach((le, i) => {
      if (b.latency <= le) this.buckets[i] += n;
    });
  }

  setMode(mode: Mode): void {
    this.advance();
    this.mode = mode;
  }

  metrics(): string {
    this.advance();
    const h = 'method="GET",handler="/api/v1/orders"';
    const total = this.ok + this.errors;
    return [
      '# TYPE http_requests_total counter',
      `http_requests_total{${h},status="2xx"} ${this.ok.toFixed(3)}`,
      `http_requests_total{${h},status="5xx"} ${this.errors.toFixed(3)}`,
      '# TYPE http_request_duration_seconds histogram',
      ...BUCKETS.map(
        (le, i) => `http_request_duration_seconds_bucket{${h},le="${le}"} ${this.buckets[i].toFixed(3)}`,
      ),
      `http_request_duration_seconds_bucket{${h},le="+Inf"} ${total.toFixed(3)}`,
      `http_request_duration_seconds_sum{${h}} ${this.sum.toFixed(3)}`,
      `http_request_duration_seconds_count{${h}} ${total.toFixed(3)}`,
      '# TYPE celery_workers gauge',
      'celery_workers 1',
      '# TYPE celery_queue_length gauge',
      'celery_queue_length{queue="default"} 2',
      '# TYPE redis_up gauge',
      'redis_up 1',
      '',
    ].join('\n');
  }

  start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(this.metrics());
      } else if (req.url === '/health/live') {
        const auth = req.headers.authorization;
        if (auth !== `Bearer ${this.token}`) res.writeHead(401).end('{"status":"unauthorized"}');
        else
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ status: 'ok', target: this.name }));
      } else res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not Prometheus</html>');
    });
    return new Promise((resolve) => this.server!.listen(this.port, '127.0.0.1', () => resolve()));
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Scrape jobs: name → port and behaviour; "down" jobs point at a port nobody listens on. */
export type Jobs = Record<string, { port: number; mode: Mode | 'down' }>;
export const JOBS: Jobs = {
  healthy: { port: 33011, mode: 'healthy' },
  erroring: { port: 33012, mode: 'erroring' },
  slow: { port: 33013, mode: 'slow' },
  down: { port: 33014, mode: 'down' },
};
export const PROM_PORT = 33000;

export class Stack {
  readonly dir = mkdtempSync(join(tmpdir(), 'erp-gates-'));
  readonly targets: Target[];
  private prom?: ChildProcess;
  constructor(
    readonly token: string,
    readonly promPort = PROM_PORT,
    readonly jobs: Jobs = JOBS,
  ) {
    this.targets = Object.entries(jobs).flatMap(([name, j]) =>
      j.mode === 'down' ? [] : [new Target(name, j.port, j.mode, token)],
    );
  }

  target(name: string): Target {
    return this.targets.find((t) => t.name === name)!;
  }

  /** Start the targets and Prometheus (1 s scrapes, each target its own job, "down" pointing at a closed port). */
  async start(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.start()));
    const jobs = Object.entries(this.jobs).map(
      ([name, { port }]) =>
        `  - job_name: ${name}\n    static_configs:\n      - targets: ['127.0.0.1:${port}']`,
    );
    const config = join(this.dir, 'prometheus.yml');
    writeFileSync(
      config,
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n  evaluation_interval: 1s\nscrape_configs:\n${jobs.join('\n')}\n`,
    );
    this.prom = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.promPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    this.prom.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-2000)));
    await this.until(
      async () =>
        (await fetch(`http://127.0.0.1:${this.promPort}/-/ready`, { headers: { connection: 'close' } })).ok,
      30_000,
      () => `Prometheus not ready: ${log}`,
    );
  }

  /** Poll until fn() is true (bounded). */
  async until(fn: () => Promise<boolean>, ms: number, why: () => string): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await fn().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(why());
  }

  async instant(query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const r = await fetch(
      `http://127.0.0.1:${this.promPort}/api/v1/query?query=${encodeURIComponent(query)}`,
      {
        headers: { connection: 'close' },
      },
    );
    const j = (await r.json()) as {
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    return j.data.result;
  }

  /** Wait until a 5 s rate exists for every running target (so the gates have data to judge). */
  async warm(): Promise<void> {
    await this.until(
      async () =>
        (await this.instant('rate(http_requests_total{status="2xx"}[5s])')).length >= this.targets.length,
      30_000,
      () => 'no rates in Prometheus after 30 s',
    );
  }

  async stop(): Promise<void> {
    if (this.prom && this.prom.exitCode === null) {
      const prom = this.prom;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => prom.kill('SIGKILL'), 5000);
        prom.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        prom.kill('SIGTERM');
      });
    }
    await Promise.all(this.targets.map((t) => t.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Project configuration: one environment per target, all gated by the same Prometheus. */
export function writeProject(dir: string, stack: Stack, gates: string, deadline = '60s'): string {
  const envs = Object.entries(stack.jobs)
    .map(
      ([name, { port }]) =>
        `  ${name}:\n    url: http://127.0.0.1:${port}\n    prometheusUrl: http://127.0.0.1:${stack.promPort}`,
    )
    .join('\n');
  writeFileSync(join(dir, 'gates.yml'), gates);
  const file = join(dir, 'erp-deploy.yml');
  writeFileSync(
    file,
    `version: 1\nenvironments:\n${envs}\ngates:\n  file: gates.yml\n  deadline: ${deadline}\nprobes:\n` +
      `  - name: live\n    url: /health/live\n    json: { status: ok }\n    contains: '"target"'\n    timeout: 2s\n    retries: 1\n` +
      `    headers: { Authorization: 'Bearer \${SMOKE_TOKEN}' }\n`,
  );
  return file;
}

/** Gates judging the environment's own job ($environment), with a custom $window variable; 2 s × 3. */
export const TEST_GATES = `version: 1
variables:
  window: 5s
defaults:
  interval: 2s
  count: 3
  errorRetryInterval: 500ms
  timeout: 2s
gates:
  - name: error-ratio
    query: (sum(rate(http_requests_total{job="$environment",status="5xx"}[$window])) or vector(0)) / sum(rate(http_requests_total{job="$environment"}[$window]))
    successCondition: result < 0.01
    failureCondition: result >= 0.05
  - name: latency-p95
    query: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="$environment"}[$window])))
    successCondition: result < 0.5
  - name: target-up
    query: up{job="$environment"}
    multiple: true
    successCondition: min(results) == 1
  - name: workers-online
    query: max(celery_workers{job="$environment"})
    successCondition: result >= 1
`;

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  ms: number;
}

/** Run the bundled action like the runner does: INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files. */
export function runAction(
  dir: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const out = join(dir, `output-${Date.now()}`);
  const summary = join(dir, `summary-${Date.now()}`);
  writeFileSync(out, '');
  writeFileSync(summary, '');
  const started = Date.now();
  const child = spawn(process.execPath, [join(process.cwd(), 'dist/smoke-check/index.js')], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      GITHUB_OUTPUT: out,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: dir,
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      const outputs: Record<string, string> = {};
      const text = readFileSync(out, 'utf8');
      for (const m of text.matchAll(/^([\w-]+)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm))
        outputs[m[1]] = m[3];
      resolve({
        code,
        stdout,
        stderr,
        outputs,
        summary: readFileSync(summary, 'utf8'),
        ms: Date.now() - started,
      });
    }),
  );
}
