/** The validation report as markdown (job summary, PR comment, `erp-deploy validate --markdown`) and as terminal text. */
import { formatDuration } from '../duration.js';
import type { CheckResult, Finding, ValidationReport } from './types.js';

const ICON: Record<CheckResult['status'], string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  skipped: '⚪ skipped',
};

export function where(f: Finding): string {
  return `${f.file}${f.line ? `:${f.line}` : ''}${f.line && f.col ? `:${f.col}` : ''}`;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function validationMarkdown(report: ValidationReport, maxFindings = 50): string {
  const lines: string[] = [
    `### Static checks: ${report.ok ? 'passed' : 'failed'}`,
    '',
    `${report.passed.length} passed, ${report.failed.length} failed, ${report.skipped.length} could not run — ${formatDuration(report.ms)}`,
    '',
  ];
  if (report.configProblem) lines.push(`> **Configuration:** ${cell(report.configProblem)}`, '');
  lines.push('| check | result | files | findings | time |', '|---|---|---:|---:|---:|');
  for (const r of report.results) {
    lines.push(
      `| ${r.title} | ${ICON[r.status]} | ${r.checked.length} | ${r.findings.length} | ${formatDuration(r.ms)} |`,
    );
  }
  const skipped = report.results.filter((r) => r.status === 'skipped');
  if (skipped.length) {
    lines.push('', '**Could not run:**', '');
    for (const r of skipped) lines.push(`- ${r.title}: ${cell(r.skipped ?? '')}`);
  }
  const findings = report.results.flatMap((r) => r.findings.map((f) => ({ r, f })));
  if (findings.length) {
    lines.push(
      '',
      `<details${report.ok ? '' : ' open'}><summary>Findings (${findings.length})</summary>`,
      '',
    );
    lines.push('| check | severity | where | message |', '|---|---|---|---|');
    for (const { r, f } of findings.slice(0, maxFindings)) {
      lines.push(`| ${r.name} | ${f.severity} | \`${where(f)}\` | ${cell(f.message).slice(0, 300)} |`);
    }
    if (findings.length > maxFindings)
      lines.push('', `… and ${findings.length - maxFindings} more (see the annotations).`);
    lines.push('', '</details>');
  }
  return lines.join('\n') + '\n';
}

export function validationText(report: ValidationReport): string {
  const width = Math.max(...report.results.map((r) => r.name.length), 5);
  const rows = report.results.map((r) => {
    const detail =
      r.status === 'skipped'
        ? `skipped: ${r.skipped}`
        : `${r.status} (${r.checked.length} files, ${r.findings.length} findings)`;
    return `  ${r.name.padEnd(width)}  ${detail}  ${formatDuration(r.ms)}`;
  });
  return [
    ...rows,
    `${report.ok ? 'passed' : 'FAILED'}: ${report.passed.length} passed, ${report.failed.length} failed, ${report.skipped.length} could not run (${formatDuration(report.ms)})`,
  ].join('\n');
}
