/**
 * Benchmark of the smoke-check gates against a real Prometheus (1 s scrapes) and real metric targets, using the
 * shipped compose/gates.yml with its intervals scaled down (30 s → INTERVAL s). Two numbers, each compared with
 * its requirement (the "peer"):
 *   1. time to verdict on a bad release: from the moment the fault is visible in Prometheus (the gate's own query
 *      crosses its failure threshold) to the bundled action's exit with verdict failed. Requirement ≤ 2 intervals.
 *   2. 20 runs against a healthy release: no failed verdict. Requirement 0 failed.
 * Run: bench/gates/run.sh   (builds dist/smoke-check first; ports 33080-33099).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction, Stack, writeProject, type Jobs } from '../../test/integration/gates-stack.js';
import { loadGatesFile } from '../../src/core/gates/load.js';
import { substitute } from '../../src/core/gates/promql.js';

const INTERVAL = Number(process.env.BENCH_INTERVAL ?? 5);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 5);
const HEALTHY_RUNS = Number(process.env.BENCH_HEALTHY_RUNS ?? 20);
const TOKEN = 'bench-t0ken';

const jobs: Jobs = {
  api: { port: 33081, mode: 'healthy' },
  worker: { port: 33082, mode: 'healthy' },
  flower: { port: 33083, mode: 'healthy' },
  redis: { port: 33084, mode: 'healthy' },
  node: { port: 33085, mode: 'healthy' },
  prometheus: { port: 33086, mode: 'healthy' },
};
for (let k = 1; k <= TRIALS; k++) jobs[`bad-${k}`] = { port: 33086 + k, mode: 'healthy' };

/** The shipped gates with intervals scaled and the API job chosen. */
function gatesFor(apiJob: string, count: number): string {
  return readFileSync('compose/gates.yml', 'utf8')
    .replace(/interval: 30s/, `interval: ${INTERVAL}s`)
    .replace(/errorRetryInterval: 10s/, 'errorRetryInterval: 1s')
    .replace(/count: 4\b/, `count: ${count}`)
    .replace(/api_job: api/, `api_job: ${apiJob}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms: number): string => (ms / 1000).toFixed(2) + ' s';

async function main(): Promise<void> {
  const stack = new Stack(TOKEN, 33080, jobs);
  const dir = mkdtempSync(join(tmpdir(), 'erp-gates-bench-'));
  await stack.start();
  try {
    await stack.warm();
    const env = { SMOKE_TOKEN: TOKEN };

    // 1. Bad releases: the API starts answering 50 % errors while the check runs.
    const ttv: number[] = [];
    for (let k = 1; k <= TRIALS; k++) {
      const job = `bad-${k}`;
      const config = writeProject(dir, stack, gatesFor(job, 40), '5m');
      // The api-error-ratio gate's own query: the fault is "visible" when it crosses failureCondition (>= 0.05).
      const query = substitute(loadGatesFile(join(dir, 'gates.yml')).gates[0].query, { api_job: job });
      const started = Date.now();
      const run = runAction(dir, { config, environment: 'api' }, env);
      await sleep(3000 + Math.random() * 5000);
      stack.target(job).setMode('broken');
      const faultAt = Date.now();
      let visibleAt = 0;
      const poll = (async () => {
        while (!visibleAt && Date.now() - faultAt < 120_000) {
          const r = await stack.instant(query);
          if (r.length && Number(r[0].value[1]) >= 0.05) visibleAt = Date.now();
          else await sleep(100);
        }
      })();
      const result = await run;
      const endedAt = Date.now();
      await poll;
      const delta = endedAt - visibleAt;
      ttv.push(delta);
      process.stdout.write(
        `bad release ${k}: verdict ${result.outputs.verdict} (${result.outputs['failed-gates']}); fault injected at +${s(faultAt - started)}, ` +
          `visible in Prometheus ${s(visibleAt - faultAt)} later, verdict ${s(delta)} after that = ${(delta / 1000 / INTERVAL).toFixed(2)} intervals\n`,
      );
      if (result.outputs.verdict !== 'failed') process.exitCode = 1;
    }

    // 2. Healthy release, 20 runs of the shipped gates (count 4).
    const config = writeProject(dir, stack, gatesFor('api', 4), '5m');
    const verdicts: Record<string, number> = {};
    const times: number[] = [];
    for (let i = 0; i < HEALTHY_RUNS; i++) {
      const r = await runAction(dir, { config, environment: 'api' }, env);
      verdicts[r.outputs.verdict] = (verdicts[r.outputs.verdict] ?? 0) + 1;
      times.push(r.ms);
      if (r.outputs.verdict !== 'passed')
        process.stdout.write(`healthy run ${i + 1}: ${r.outputs.verdict}\n${r.summary}\n`);
    }

    const worst = Math.max(...ttv);
    process.stdout.write(
      [
        '',
        `gate interval ${INTERVAL} s (compose/gates.yml scaled from 30 s), Prometheus scrape 1 s`,
        `time to verdict after the fault is visible: min ${s(Math.min(...ttv))}, median ${s(median(ttv))}, max ${s(worst)} over ${TRIALS} bad releases`,
        `  ratio to the requirement (2 intervals = ${2 * INTERVAL} s): worst ${(worst / 1000 / (2 * INTERVAL)).toFixed(2)} (≤ 1 required) → ${worst <= 2 * INTERVAL * 1000 ? 'OK' : 'MISSED'}`,
        `healthy release, ${HEALTHY_RUNS} runs: ${JSON.stringify(verdicts)}; failed ${verdicts.failed ?? 0} (0 required) → ${verdicts.failed ? 'MISSED' : 'OK'}; ` +
          `run time median ${s(median(times))} (3 intervals = ${3 * INTERVAL} s of measuring)`,
        '',
      ].join('\n'),
    );
    if (worst > 2 * INTERVAL * 1000 || verdicts.failed) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
