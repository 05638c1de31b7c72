/** smoke-check: HTTP probes and Prometheus gates after a deploy; outputs the verdict the pipeline acts on. */
import * as core from '@actions/core';
import { loadConfig } from '../../core/config/load.js';
import { runChecks } from '../../core/gates/run.js';
import { getBool, getOptional } from '../common/inputs.js';
import { actionsLogger } from '../common/logger.js';
import { num } from '../../core/report/series.js';

export interface Inputs {
  config?: string;
  environment: string;
  gatesFile?: string;
  prometheusUrl?: string;
  url?: string;
  baseline: string;
  release?: string;
  baselineRelease?: string;
  deadline?: string;
  probesOnly: boolean;
}

export function getInputs(): Inputs {
  return {
    config: getOptional('config'),
    environment: core.getInput('environment', { required: true }).trim(),
    gatesFile: getOptional('gates-file'),
    prometheusUrl: getOptional('prometheus-url'),
    url: getOptional('url'),
    baseline: getOptional('baseline') ?? 'none',
    release: getOptional('release'),
    baselineRelease: getOptional('baseline-release'),
    deadline: getOptional('deadline'),
    probesOnly: getBool('probes-only', false),
  };
}

export async function main(): Promise<void> {
  try {
    await check();
  } catch (err) {
    // Bad input or a crash: still tell the pipeline, which rolls back on anything but passed.
    core.setOutput('verdict', 'error');
    throw err;
  }
}

async function check(): Promise<void> {
  const inputs = getInputs();
  const config = loadConfig(inputs.config);
  const result = await core.group(`check ${inputs.environment}`, () =>
    runChecks({
      config,
      environment: inputs.environment,
      gatesFile: inputs.gatesFile,
      prometheusUrl: inputs.prometheusUrl,
      url: inputs.url,
      baseline: inputs.baseline,
      release: inputs.release,
      baselineRelease: inputs.baselineRelease,
      deadline: inputs.deadline,
      probesOnly: inputs.probesOnly,
      reportDir: process.env.RUNNER_TEMP,
      logger: actionsLogger,
      onProbe: (p) =>
        core.info(
          `probe ${p.name}: ${p.ok ? 'ok' : p.message} (${p.ms} ms, ${p.attempts.length} attempt(s))`,
        ),
      onMeasurement: (g, m) => core.info(`gate ${g.name}: ${m.phase} ${num(m.value)} — ${m.message}`),
    }),
  );
  core.setOutput('verdict', result.verdict);
  core.setOutput('failed-gates', result.failedGates.join(','));
  core.setOutput('report-path', result.htmlPath);
  await core.summary
    .addRaw(result.markdown, true)
    .addRaw(
      `\nHTML report (charts of every gate): \`${result.htmlPath}\` — upload it as an artifact.\n`,
      true,
    )
    .write();
  for (const g of result.gates.filter((x) => x.phase === 'Failed' || x.phase === 'Error'))
    core.error(`gate ${g.name}: ${g.phase} — ${g.message}`, { title: `smoke-check: ${g.name}` });
  if (result.verdict !== 'passed')
    core.setFailed(
      `smoke check of ${inputs.environment}: ${result.verdict} (${result.failedGates.join(', ')})`,
    );
  else core.info(`smoke check of ${inputs.environment}: passed`);
}
