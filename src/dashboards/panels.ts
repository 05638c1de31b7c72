/**
 * Building blocks shared by the four dashboards: the datasource variable every panel uses, Prometheus
 * queries with Grafana's $__rate_interval, and panel constructors laid out on a 24-column grid.
 */
import {
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { DatasourceVariableBuilder, DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** The template variable every panel and query reads its datasource from. */
export const DATASOURCE_VARIABLE = 'datasource';
export const DATASOURCE: dashboard.DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
/** The provisioned datasource's fixed uid (compose/grafana/provisioning/datasources/prometheus.yml). */
export const PROVISIONED_DATASOURCE_UID = 'erp-prometheus';
/** Prometheus scrapes every 15 s; $__rate_interval needs the datasource's timeInterval set to it. */
export const SCRAPE_INTERVAL = '15s';

export interface Query {
  expr: string;
  legend?: string;
}

export type PanelKind = 'timeseries' | 'stat';

export interface PanelSpec {
  kind: PanelKind;
  title: string;
  description: string;
  queries: Query[];
  unit?: string;
  /** Width in grid columns (24 per row); height 8 for time series, 4 for stats. */
  width?: number;
  min?: number;
  max?: number;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  file: string;
  tags: string[];
  panels: PanelSpec[];
}

export const rate = (selector: string): string => `rate(${selector}[$__rate_interval])`;

function target(q: Query, i: number): DataqueryBuilder {
  const t = new DataqueryBuilder()
    .datasource(DATASOURCE)
    .expr(q.expr)
    .refId(String.fromCharCode(65 + i))
    .range();
  return q.legend ? t.legendFormat(q.legend) : t;
}

function visualization(kind: PanelKind): StatBuilder | TimeseriesBuilder {
  if (kind === 'stat')
    return new StatBuilder().reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']));
  const legend = new VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(LegendDisplayMode.List)
    .placement(LegendPlacement.Bottom);
  return new TimeseriesBuilder().fillOpacity(10).lineWidth(1).legend(legend);
}

function panel(spec: PanelSpec): StatBuilder | TimeseriesBuilder {
  const p = visualization(spec.kind);
  p.title(spec.title).description(spec.description).datasource(DATASOURCE);
  spec.queries.forEach((q, i) => p.withTarget(target(q, i)));
  if (spec.unit) p.unit(spec.unit);
  if (spec.min !== undefined) p.min(spec.min);
  if (spec.max !== undefined) p.max(spec.max);
  return p;
}

/** Lays the panels out left to right, wrapping at 24 columns; the row height is its tallest panel's. */
function layout(panels: PanelSpec[]): dashboard.GridPos[] {
  const out: dashboard.GridPos[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const p of panels) {
    const w = p.width ?? (p.kind === 'stat' ? 4 : 12);
    const h = p.kind === 'stat' ? 4 : 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    out.push({ x, y, w, h });
    x += w;
    rowHeight = Math.max(rowHeight, h);
  }
  return out;
}

export function buildDashboard(spec: DashboardSpec): dashboard.Dashboard {
  const variable = new DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label('Data source')
    .type('prometheus')
    .current({ selected: true, text: 'Prometheus', value: PROVISIONED_DATASOURCE_UID });
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(spec.tags)
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(variable);
  const positions = layout(spec.panels);
  spec.panels.forEach((p, i) => builder.withPanel(panel(p).gridPos(positions[i])));
  return builder.build();
}
