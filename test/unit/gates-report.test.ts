/** The reports from a hand-made result: tables, Mermaid chart, escaping, NaN left out of charts, HTML without assets. */
import { renderMarkdown, mermaidChart } from '../../src/core/report/markdown.js';
import { renderHtml } from '../../src/core/report/html.js';
import type { ReportInput } from '../../src/core/report/series.js';
import type { GateResult, Measurement } from '../../src/core/gates/types.js';

const m = (at: number, value: number, phase: Measurement['phase'] = 'Successful'): Measurement => ({
  at,
  phase,
  value,
  values: [{ labels: {}, value }],
  message: `${value} → ok`,
});

const gate: GateResult = {
  name: 'err|ratio',
  phase: 'Failed',
  message: '1 failed measurement(s), more than failureLimit 0',
  query: 'sum(rate(x{a="b|c"}[1m]))',
  successCondition: 'result < 0.5',
  measurements: [m(1000, 0.1), m(3000, NaN, 'Error'), m(5000, 0.75, 'Failed')],
  startedAt: 1000,
  finishedAt: 5000,
  counts: { Successful: 1, Failed: 1, Inconclusive: 0, Error: 1 },
};
const input: ReportInput = {
  verdict: 'failed',
  environment: 'staging',
  gates: [gate],
  probes: [
    {
      name: 'ready',
      method: 'GET',
      url: 'http://x/health/ready',
      ok: false,
      status: 503,
      ms: 12,
      totalMs: 40,
      attempts: [
        { status: 503, ms: 12 },
        { status: 503, ms: 12 },
      ],
      message: 'expected HTTP 200, got 503 (after 2 attempt(s))',
      headers: {},
    },
  ],
  startedAt: 0,
  finishedAt: 5000,
};

describe('reports', () => {
  it('markdown: verdict, probe table, gate table with escaped pipes, Mermaid of the finite values', () => {
    const md = renderMarkdown(input);
    expect(md).toContain('## Smoke check of staging: ❌ failed');
    expect(md).toContain('0/1 probe(s) ok; gates: 1 failed; took 5.0s.');
    expect(md).toContain(
      '| ready | GET http://x/health/ready | 503 | 12 ms | 2 | ❌ expected HTTP 200, got 503 (after 2 attempt(s)) |',
    );
    expect(md).toContain('### ❌ Failed — gate `err|ratio`');
    expect(md).toContain('Query: `sum(rate(x{a="b\\|c"}[1m]))`');
    expect(md).toContain('| 2 | +2.0s | NaN | Error | NaN → ok |');
    expect(mermaidChart(gate)).toEqual([
      '```mermaid',
      'xychart-beta',
      '  title "err|ratio"',
      '  x-axis "seconds since start" ["0", "4"]',
      '  y-axis "value"',
      '  line [0.1, 0.75]',
      '```',
    ]);
  });

  it('HTML: escaped, one circle per finite value, no scripts or external assets', () => {
    const html = renderHtml({ ...input, gates: [{ ...gate, name: '<b>x</b>' }] });
    expect(html).toContain('&#60;b&#62;x&#60;/b&#62;');
    expect(html).not.toContain('<b>x</b>');
    expect(html.match(/<circle class="point /g)).toHaveLength(2);
    expect(html).toContain('<circle class="point failed"');
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!x\/|www\.w3\.org)/);
  });

  it('no chart when nothing finite was measured', () => {
    const none = { ...gate, measurements: [m(1000, NaN, 'Error')] };
    expect(mermaidChart(none)).toEqual([]);
    expect(renderHtml({ ...input, gates: [none] })).toContain('No finite values to plot.');
  });
});
