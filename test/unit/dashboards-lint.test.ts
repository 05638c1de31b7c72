/** Static checks of the generated dashboards and Grafana provisioning: uids, datasource variable, PromQL. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkPromql } from '../../src/core/gates/promql.js';
import {
  DATASOURCE_VARIABLE,
  PROVISIONED_DATASOURCE_UID,
  SCRAPE_INTERVAL,
  expandGrafanaMacros,
  panelQueries,
  renderDashboards,
} from '../../src/dashboards/index.js';

interface Json {
  [k: string]: unknown;
}
const dashboards = Object.entries(renderDashboards()).map(
  ([file, text]) => [file, JSON.parse(text) as Json] as const,
);
const DS_REF = `\${${DATASOURCE_VARIABLE}}`;
const readYaml = (path: string): Json => parse(readFileSync(join(process.cwd(), path), 'utf8')) as Json;

describe('dashboards', () => {
  it('have unique uids and titles', () => {
    const uids = dashboards.map(([, d]) => d.uid);
    expect(new Set(uids).size).toBe(4);
    expect(new Set(dashboards.map(([, d]) => d.title)).size).toBe(4);
    for (const uid of uids) expect(String(uid)).toMatch(/^[a-z0-9-]{1,40}$/);
  });

  it.each(dashboards)('%s declares the datasource variable with the provisioned default', (_file, d) => {
    const list = (d.templating as { list: Json[] }).list;
    const variable = list.find((v) => v.name === DATASOURCE_VARIABLE);
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect((variable?.current as Json).value).toBe(PROVISIONED_DATASOURCE_UID);
  });

  it.each(dashboards)('%s: every panel and every query uses the datasource variable', (_file, d) => {
    const panels = d.panels as Json[];
    expect(panels.length).toBeGreaterThanOrEqual(8);
    for (const p of panels) {
      expect(p.datasource).toEqual({ type: 'prometheus', uid: DS_REF });
      const targets = p.targets as Json[];
      expect(targets.length).toBeGreaterThan(0);
      for (const t of targets) expect(t.datasource).toEqual({ type: 'prometheus', uid: DS_REF });
    }
  });

  it.each(dashboards)('%s: panels do not overlap and fit the 24-column grid', (_file, d) => {
    const cells = new Set<string>();
    for (const p of d.panels as Json[]) {
      const g = p.gridPos as { x: number; y: number; w: number; h: number };
      expect(g.x + g.w).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++)
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it('panel titles are unique within each dashboard', () => {
    for (const [, d] of dashboards) {
      const titles = (d.panels as Json[]).map((p) => p.title);
      expect(new Set(titles).size).toBe(titles.length);
    }
  });

  const queries = panelQueries();
  it('panelQueries lists every target of every panel', () => {
    const targets = dashboards.reduce(
      (n, [, d]) => n + (d.panels as Json[]).reduce((m, p) => m + (p.targets as Json[]).length, 0),
      0,
    );
    expect(queries).toHaveLength(targets);
  });

  it.each(queries.map((q) => [`${q.dashboard} / ${q.panel} / ${q.refId}`, q.expr]))(
    '%s parses as PromQL',
    (_name, expr) => {
      expect(checkPromql(expandGrafanaMacros(expr))).toBeUndefined();
    },
  );

  it('the lint can fail: a broken expression has syntax errors', () => {
    expect(checkPromql('sum(rate(http_requests_total[5m])')).toBeDefined();
  });

  it.each(queries.map((q) => [`${q.dashboard} / ${q.panel} / ${q.refId}`, q.expr]))(
    '%s uses $__rate_interval for every rate window',
    (_name, expr) => {
      for (const m of expr.matchAll(/\b(rate|irate|increase)\(([^()]|\([^()]*\))*?\[([^\]]+)\]/g)) {
        expect(['$__rate_interval', '$__range']).toContain(m[3]);
      }
    },
  );
});

describe('Grafana provisioning', () => {
  it('the datasource has the fixed uid and timeInterval = the scrape interval', () => {
    const ds = (readYaml('compose/grafana/provisioning/datasources/prometheus.yml').datasources as Json[])[0];
    expect(ds).toMatchObject({
      uid: PROVISIONED_DATASOURCE_UID,
      type: 'prometheus',
      url: 'http://prometheus:9090',
    });
    expect((ds.jsonData as Json).timeInterval).toBe(SCRAPE_INTERVAL);
    const prom = readYaml('compose/prometheus/prometheus.yml');
    expect((prom.global as Json).scrape_interval).toBe(SCRAPE_INTERVAL);
  });

  it('the dashboards provider reads the directory compose mounts the generated JSON into', () => {
    const provider = (readYaml('compose/grafana/provisioning/dashboards/erp.yml').providers as Json[])[0];
    const path = (provider.options as Json).path;
    const grafana = ((readYaml('compose/docker-compose.yml').services as Json).grafana ?? {}) as Json;
    expect(grafana.volumes).toContain(`./grafana/dashboards:${String(path)}:ro`);
  });
});
