/** The pipeline's result as markdown (CLI output and job summaries) and the "where to look" list. */
import { formatDuration } from '../duration.js';
import type { PipelineResult } from './types.js';

const ICON = { passed: '✅', failed: '❌', skipped: '⏭️' } as const;

export function pipelineMarkdown(r: PipelineResult): string {
  const lines = [`## erp-deploy pipeline: ${r.ok ? 'passed' : 'FAILED'} (release \`${r.release}\`)`, ''];
  if (r.failure) lines.push(`**${r.failure}**`, '');
  lines.push('| stage | status | detail | time |', '|---|---|---|---|');
  for (const s of r.stages) {
    lines.push(
      `| ${s.name} | ${ICON[s.status]} ${s.status} | ${s.detail.replace(/\|/g, '\\|')} | ${formatDuration(s.ms)} |`,
    );
  }
  const images = Object.values(r.images);
  if (images.length) {
    lines.push('', '| service | image | digest / id |', '|---|---|---|');
    for (const i of images)
      lines.push(`| ${i.service} | \`${i.ref}\` | \`${(i.digest || i.imageId).slice(0, 19)}\` |`);
  }
  const where = whereToLook(r);
  if (where.length) lines.push('', '### Where to look', '', ...where.map((w) => `- ${w}`));
  return lines.join('\n') + '\n';
}

/** URLs, reports and metadata the run produced, one line each. */
export function whereToLook(r: PipelineResult): string[] {
  const out: string[] = [];
  if (r.buildMetadataPath) out.push(`build metadata: ${r.buildMetadataPath}`);
  for (const e of Object.values(r.environments)) {
    if (e.url) out.push(`${e.environment}: ${e.url} (release ${e.releaseId ?? '?'})`);
    if (e.reportPath) out.push(`${e.environment} gate report: ${e.reportPath}`);
    if (e.rolledBack) {
      out.push(
        `${e.environment} rollback: ${e.rolledBack.ok ? `now runs ${e.rolledBack.releaseId}` : `failed (${e.rolledBack.message ?? 'no detail'})`}`,
      );
    }
  }
  return out;
}

/** The reusable workflow's outputs, computed from a local run (same names). */
export function pipelineOutputs(
  r: PipelineResult,
  staging: string,
  production: string,
): Record<string, string> {
  const s = r.environments[staging];
  const p = r.environments[production];
  return {
    images: JSON.stringify(r.images),
    'staging-release-id': s?.releaseId ?? '',
    'staging-verdict': s?.verdict ?? '',
    'production-release-id': p?.releaseId ?? '',
    'production-verdict': p?.verdict ?? '',
  };
}
