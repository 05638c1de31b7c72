/**
 * The markdown report: the job summary and the CLI's output. A table of probes, then per gate its query,
 * conditions and verdict, a table of measurements and a Mermaid xychart of its values over the window.
 */
import { formatDuration } from '../duration.js';
import { num, PHASE_LABEL, pointsOf, valuesText, VERDICT_LABEL, type ReportInput } from './series.js';
import type { GateResult } from '../gates/types.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const code = (s: string): string => '`' + cell(s).replace(/`/g, "'") + '`';

function probesTable(r: ReportInput): string[] {
  if (!r.probes.length) return [];
  return [
    '### HTTP probes',
    '',
    '| probe | request | status | time | attempts | result |',
    '|---|---|---|---|---|---|',
    ...r.probes.map(
      (p) =>
        `| ${cell(p.name)} | ${p.method} ${cell(p.url)} | ${p.status ?? '—'} | ${p.ms} ms | ${p.attempts.length} | ${p.ok ? '✅ ok' : '❌ ' + cell(p.message)} |`,
    ),
    '',
  ];
}

/** A Mermaid xychart of the gate's values (and the baseline when there is one). */
export function mermaidChart(g: GateResult): string[] {
  const pts = pointsOf(g);
  if (!pts.length) return [];
  const lines = [
    '```mermaid',
    'xychart-beta',
    `  title "${g.name.replace(/"/g, "'")}"`,
    `  x-axis "seconds since start" [${pts.map((p) => `"${p.t}"`).join(', ')}]`,
    `  y-axis "value"`,
    `  line [${pts.map((p) => num(p.value)).join(', ')}]`,
  ];
  if (pts.every((p) => p.baseline !== undefined))
    lines.push(`  line [${pts.map((p) => num(p.baseline)).join(', ')}]`);
  lines.push('```');
  return lines;
}

function gateSection(g: GateResult): string[] {
  const conditions = [
    g.successCondition !== undefined ? `success when ${code(g.successCondition)}` : '',
    g.failureCondition !== undefined ? `failure when ${code(g.failureCondition)}` : '',
  ].filter(Boolean);
  const hasBaseline = g.measurements.some((m) => m.baseline !== undefined);
  const out = [
    `### ${PHASE_LABEL[g.phase]} — gate \`${g.name}\``,
    '',
    `${cell(g.message)}. ${conditions.join('; ')}.`,
    '',
    `Query: ${code(g.query)}`,
    '',
  ];
  if (g.measurements.length) {
    out.push(
      `| # | at | value | ${hasBaseline ? 'baseline | ' : ''}measurement | why |`,
      `|---|---|---|${hasBaseline ? '---|' : ''}---|---|`,
      ...g.measurements.map(
        (m, i) =>
          `| ${i + 1} | +${formatDuration(m.at - g.startedAt)} | ${cell(valuesText(m.values))} | ${hasBaseline ? num(m.baseline) + ' | ' : ''}${m.phase} | ${cell(m.message)} |`,
      ),
      '',
      ...mermaidChart(g),
      '',
    );
  }
  return out;
}

export function renderMarkdown(r: ReportInput): string {
  const counts = r.gates.map((g) => g.phase);
  const summary = ['Successful', 'Failed', 'Inconclusive', 'Error', 'Skipped']
    .map((p) => [p, counts.filter((c) => c === p).length] as const)
    .filter(([, n]) => n > 0)
    .map(([p, n]) => `${n} ${p.toLowerCase()}`)
    .join(', ');
  return [
    `## Smoke check of ${r.environment}: ${VERDICT_LABEL[r.verdict]}`,
    '',
    `${r.probes.filter((p) => p.ok).length}/${r.probes.length} probe(s) ok; gates: ${summary || 'none'}; took ${formatDuration(r.finishedAt - r.startedAt)}.`,
    '',
    ...probesTable(r),
    ...r.gates.flatMap(gateSection),
  ].join('\n');
}
