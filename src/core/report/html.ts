/** The HTML report: one self-contained file (inline CSS and SVG, no scripts, no external assets). */
import { formatDuration } from '../duration.js';
import { num, PHASE_LABEL, pointsOf, valuesText, VERDICT_LABEL, type ReportInput } from './series.js';
import { svgChart } from './svg.js';
import type { GateResult } from '../gates/types.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const row = (cells: string[], tag = 'td'): string =>
  `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;

const CSS = `body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1em}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f0f0f0}
code{background:#f4f4f4;padding:1px 4px}.gate{margin-bottom:2em}.successful{fill:#2da44e}.failed{fill:#cf222e}
.inconclusive{fill:#bf8700}.error{fill:#8250df}section h2{margin-bottom:.2em}`;

function gateHtml(g: GateResult): string {
  const pts = pointsOf(g);
  const hasBaseline = g.measurements.some((m) => m.baseline !== undefined);
  return [
    `<section class="gate" data-gate="${esc(g.name)}" data-phase="${g.phase}">`,
    `<h2>${esc(PHASE_LABEL[g.phase])} — ${esc(g.name)}</h2>`,
    `<p>${esc(g.message)}</p>`,
    `<p>Query: <code>${esc(g.query)}</code></p>`,
    g.successCondition !== undefined ? `<p>Success when <code>${esc(g.successCondition)}</code></p>` : '',
    g.failureCondition !== undefined ? `<p>Failure when <code>${esc(g.failureCondition)}</code></p>` : '',
    pts.length ? svgChart(g.name, pts) : '<p class="nochart">No finite values to plot.</p>',
    g.measurements.length
      ? `<table class="measurements">${row(['#', 'at', 'value', ...(hasBaseline ? ['baseline'] : []), 'measurement', 'why'], 'th')}${g.measurements
          .map((m, i) =>
            row([
              String(i + 1),
              `+${formatDuration(m.at - g.startedAt)}`,
              esc(valuesText(m.values)),
              ...(hasBaseline ? [num(m.baseline)] : []),
              m.phase,
              esc(m.message),
            ]),
          )
          .join('')}</table>`
      : '',
    '</section>',
  ].join('\n');
}

export function renderHtml(r: ReportInput): string {
  const probes = r.probes.length
    ? `<h2>HTTP probes</h2><table class="probes">${row(['probe', 'request', 'status', 'time', 'attempts', 'result'], 'th')}${r.probes
        .map((p) =>
          row([
            esc(p.name),
            esc(`${p.method} ${p.url}`),
            String(p.status ?? '—'),
            `${p.ms} ms`,
            String(p.attempts.length),
            p.ok ? 'ok' : esc(p.message),
          ]),
        )
        .join('')}</table>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Smoke check of ${esc(r.environment)}: ${r.verdict}</title>
<style>${CSS}</style></head>
<body data-verdict="${r.verdict}">
<h1>Smoke check of ${esc(r.environment)}: ${esc(VERDICT_LABEL[r.verdict])}</h1>
<p>Started ${new Date(r.startedAt).toISOString()}, took ${formatDuration(r.finishedAt - r.startedAt)}.</p>
${probes}
${r.gates.map(gateHtml).join('\n')}
</body></html>
`;
}
