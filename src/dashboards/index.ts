/**
 * The four Grafana dashboards of the ERP stack as code (@grafana/grafana-foundation-sdk). Pure: renders JSON
 * text; writing compose/grafana/dashboards/*.json is done by the sync test (ERP_WRITE_DASHBOARDS=1).
 */
import { apiPerformance } from './api-performance.js';
import { celeryTasks } from './celery-tasks.js';
import { buildDashboard, type DashboardSpec } from './panels.js';
import { redis } from './redis.js';
import { systemOverview } from './system-overview.js';

export { DATASOURCE_VARIABLE, PROVISIONED_DATASOURCE_UID, SCRAPE_INTERVAL } from './panels.js';
export type { DashboardSpec, PanelSpec, Query } from './panels.js';

/** Where the generated JSON lives, relative to the repository root (Grafana's provisioning reads it). */
export const DASHBOARD_DIR = 'compose/grafana/dashboards';

export const DASHBOARDS: readonly DashboardSpec[] = [systemOverview, apiPerformance, celeryTasks, redis];

/** file name → the dashboard's JSON text exactly as committed. */
export function renderDashboards(): Record<string, string> {
  return Object.fromEntries(
    DASHBOARDS.map((d) => [d.file, JSON.stringify(buildDashboard(d), null, 2) + '\n']),
  );
}

export interface PanelQuery {
  dashboard: string;
  uid: string;
  panel: string;
  refId: string;
  /** The expression as Grafana sends it, with $__rate_interval and the other macros unexpanded. */
  expr: string;
}

/** Every panel query of every dashboard, read back from the built dashboards (what Grafana will run). */
export function panelQueries(): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const spec of DASHBOARDS) {
    const built = buildDashboard(spec);
    for (const p of built.panels ?? []) {
      if (!('targets' in p)) continue;
      for (const t of p.targets ?? []) {
        const { expr, refId } = t as { expr?: unknown; refId?: unknown };
        if (typeof expr === 'string') {
          out.push({
            dashboard: built.title ?? spec.title,
            uid: spec.uid,
            panel: p.title ?? '',
            refId: String(refId),
            expr,
          });
        }
      }
    }
  }
  return out;
}

/**
 * Grafana's macros replaced by what Grafana would send for a short time range, so the expression can run
 * against Prometheus's HTTP API directly. $__rate_interval is max(4 x scrape interval, step + scrape interval).
 */
export function expandGrafanaMacros(
  expr: string,
  opts: { rateInterval?: string; range?: string } = {},
): string {
  return expr
    .replaceAll('$__rate_interval', opts.rateInterval ?? '1m')
    .replaceAll('$__range', opts.range ?? '1h')
    .replaceAll('$__interval', '15s');
}
