/** docs/monitoring.md: at least ten PromQL examples, each valid PromQL (the container test runs them live). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPromql } from '../../src/core/gates/promql.js';

const doc = readFileSync(join(process.cwd(), 'docs/monitoring.md'), 'utf8');
const examples = [...doc.matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => m[1].trim());

describe('docs/monitoring.md PromQL examples', () => {
  it('has at least ten', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it.each(examples)('%s parses', (expr) => {
    expect(checkPromql(expr)).toBeUndefined();
  });

  it('the parse check can fail', () => {
    expect(checkPromql('sum by (job (up)')).toBeDefined();
  });

  it('lists every alert rule of compose/prometheus/rules', () => {
    const rules = ['api', 'slo', 'celery', 'redis', 'host', 'target']
      .map((f) => readFileSync(join(process.cwd(), `compose/prometheus/rules/${f}-alerts.yml`), 'utf8'))
      .join('\n');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    expect(alerts.length).toBe(15);
    expect(alerts.filter((a) => !doc.includes(`\`${a}\``))).toEqual([]);
  });
});
