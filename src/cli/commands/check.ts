import type { Register } from './types.js';
import { configPath } from './types.js';
import { loadConfig } from '../../core/config/load.js';
import { runChecks } from '../../core/gates/run.js';
import { num } from '../../core/report/series.js';
import { formatDuration } from '../../core/duration.js';

interface CheckFlags {
  gatesFile?: string;
  prometheusUrl?: string;
  url?: string;
  baseline: string;
  release?: string;
  baselineRelease?: string;
  deadline?: string;
  probesOnly?: boolean;
  reportDir?: string;
}

/** `erp-deploy check <env>`: probes and gates with progress; prints the report table. Exit 1 unless passed. */
export const registerCheck: Register = (program, ctx) => {
  program
    .command('check')
    .description(
      'run the HTTP probes and Prometheus gates of an environment (exit 1 unless the verdict is passed)',
    )
    .argument('<env>', 'environment to check')
    .option('--gates-file <file>', 'gates file (default: gates.file of the configuration)')
    .option('--prometheus-url <url>', "Prometheus to query (default: the environment's prometheusUrl)")
    .option('--url <url>', "base URL of the probes (default: the environment's url)")
    .option('--baseline <what>', 'none | previous | <environment>', 'none')
    .option('--release <release>', 'release being checked ($release)')
    .option('--baseline-release <release>', 'previous release ($baseline_release)')
    .option('--deadline <duration>', 'overall deadline (default: gates.deadline)')
    .option('--probes-only', 'HTTP probes only, no gates')
    .option('--report-dir <dir>', 'directory of the HTML report')
    .action(async (env: string, flags: CheckFlags, cmd) => {
      const config = loadConfig(configPath(cmd));
      const log = ctx.logger;
      const taken = new Map<string, number>();
      const started = Date.now();
      // Progress while waiting between measurements: one line every 15 s.
      const ticker = setInterval(() => {
        const done = [...taken.entries()].map(([g, n]) => `${g} ${n}`).join(', ');
        log.info(
          `… ${formatDuration(Date.now() - started)} elapsed; measurements so far: ${done || 'none yet'}`,
        );
      }, 15_000);
      const result = await log
        .group(`check ${env}`, () =>
          runChecks({
            config,
            environment: env,
            ...flags,
            logger: log,
            onProbe: (p) => log.info(`probe ${p.name}: ${p.ok ? 'ok' : p.message} (${p.ms} ms)`),
            onMeasurement: (g, m) => {
              taken.set(g.name, (taken.get(g.name) ?? 0) + 1);
              log.info(
                `gate ${g.name} #${taken.get(g.name)}/${g.count}: ${m.phase} ${num(m.value)} — ${m.message}`,
              );
            },
          }),
        )
        .finally(() => clearInterval(ticker));
      process.stdout.write(result.markdown + '\n\n');
      process.stdout.write(`verdict: ${result.verdict}\nreport: ${result.htmlPath}\n`);
      if (result.verdict !== 'passed') ctx.setExit(1);
    });
};
