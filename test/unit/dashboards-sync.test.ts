/**
 * The committed dashboards are exactly what the generator (src/dashboards) produces.
 * Regenerate after changing the generator: ERP_WRITE_DASHBOARDS=1 npm run jest -- --selectProjects unit test/unit/dashboards-sync.test.ts
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_DIR, renderDashboards } from '../../src/dashboards/index.js';

const dir = join(process.cwd(), DASHBOARD_DIR);

describe('generated Grafana dashboards', () => {
  const rendered = renderDashboards();

  if (process.env.ERP_WRITE_DASHBOARDS === '1') {
    for (const [file, text] of Object.entries(rendered)) writeFileSync(join(dir, file), text);
  }

  it('writes four dashboards and nothing else lives in the directory', () => {
    expect(Object.keys(rendered).sort()).toEqual(
      ['api-performance.json', 'celery-tasks.json', 'redis.json', 'system-overview.json'].sort(),
    );
    expect(readdirSync(dir).sort()).toEqual(Object.keys(rendered).sort());
  });

  it.each(Object.keys(rendered))('%s is in sync with the generator', (file) => {
    expect(readFileSync(join(dir, file), 'utf8')).toBe(rendered[file]);
  });
});
