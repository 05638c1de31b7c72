/**
 * Grafana dashboards (JSON under <compose dir>/grafana/dashboards): valid JSON, a uid each and unique,
 * every panel query parses as PromQL (Grafana's $variables replaced first), and panels use the dashboard's
 * datasource variable rather than a fixed datasource.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPromql } from '../../gates/promql.js';
import { locate } from '../yaml-lines.js';
import { skipped, type Check, type CheckOutcome, type Finding } from '../types.js';

type Json = Record<string, unknown>;

/** Grafana's variables → values PromQL accepts: durations inside [..] and after offset, numbers elsewhere; quoted text is left alone. */
export function grafanaToPromql(expr: string): string {
  let out = '';
  let quote: string | undefined;
  let bracket = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      out += c;
      if (c === '\\') out += expr[++i] ?? '';
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    if (c === '[') bracket++;
    if (c === ']') bracket--;
    if (c === '$') {
      const m = /^\$(\{[^}]*\}|\w+)/.exec(expr.slice(i));
      if (m) {
        const offset = /offset\s*$/.test(out);
        out += bracket > 0 || offset ? '5m' : '1';
        i += m[0].length - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

interface PanelRef {
  panel: Json;
  path: (string | number)[];
}

function panelsOf(dash: Json): PanelRef[] {
  const out: PanelRef[] = [];
  const walk = (list: unknown, path: (string | number)[]): void => {
    if (!Array.isArray(list)) return;
    list.forEach((p, i) => {
      if (!p || typeof p !== 'object') return;
      out.push({ panel: p as Json, path: [...path, i] });
      walk((p as Json).panels, [...path, i, 'panels']);
    });
  };
  walk(dash.panels, ['panels']);
  for (const [ri, row] of (Array.isArray(dash.rows) ? dash.rows : []).entries())
    walk((row as Json).panels, ['rows', ri, 'panels']);
  return out;
}

function datasourceVariables(dash: Json): string[] {
  const list = ((dash.templating as Json | undefined)?.list ?? []) as Json[];
  return list.filter((v) => v?.type === 'datasource').map((v) => String(v.name));
}

function usesVariable(ds: unknown, vars: string[]): boolean {
  const text =
    typeof ds === 'string' ? ds : ds && typeof ds === 'object' ? String((ds as Json).uid ?? '') : '';
  return vars.some((v) => new RegExp(`^\\$(\\{${v}(:[^}]*)?\\}|${v})$`).test(text));
}

function isGrafanaBuiltin(ds: unknown): boolean {
  const uid = ds && typeof ds === 'object' ? String((ds as Json).uid ?? '') : String(ds ?? '');
  const type = ds && typeof ds === 'object' ? String((ds as Json).type ?? '') : '';
  return (
    uid === '-- Grafana --' ||
    uid === 'grafana' ||
    type === 'grafana' ||
    uid === '-- Mixed --' ||
    uid === '-- Dashboard --'
  );
}

export function lintDashboard(text: string, file: string, seenUids: Map<string, string>): Finding[] {
  const out: Finding[] = [];
  const err = (message: string, line?: number, col?: number, rule = 'DASH'): void => {
    out.push({ file, line, col, severity: 'error', rule, message });
  };
  let dash: Json;
  try {
    dash = JSON.parse(text) as Json;
  } catch (e) {
    const pos = /position (\d+)/.exec((e as Error).message);
    const offset = pos ? Number(pos[1]) : 0;
    const before = text.slice(0, offset).split('\n');
    err(
      `not valid JSON: ${(e as Error).message}`,
      before.length,
      before[before.length - 1].length + 1,
      'DASH001',
    );
    return out;
  }
  const loc = locate(text);
  if (dash.dashboard && typeof dash.dashboard === 'object' && !dash.panels) dash = dash.dashboard as Json; // API export wrapper
  const uid = typeof dash.uid === 'string' ? dash.uid : '';
  if (!uid)
    err(
      'the dashboard has no uid: provisioning needs a stable uid',
      loc.lineOf(['uid']) ?? 1,
      undefined,
      'DASH002',
    );
  else if (seenUids.has(uid))
    err(
      `duplicate dashboard uid "${uid}" (also in ${seenUids.get(uid)})`,
      loc.lineOf(['uid']),
      undefined,
      'DASH002',
    );
  else seenUids.set(uid, file);
  const vars = datasourceVariables(dash);
  if (!vars.length)
    err(
      'no datasource variable (templating.list entry of type "datasource"): panels cannot switch Prometheus',
      loc.lineOf(['templating']) ?? 1,
      undefined,
      'DASH004',
    );
  for (const { panel, path } of panelsOf(dash)) {
    const targets = Array.isArray(panel.targets) ? (panel.targets as Json[]) : [];
    const title = String(panel.title ?? panel.id ?? path.join('.'));
    if (targets.length && vars.length && !isGrafanaBuiltin(panel.datasource)) {
      const ok =
        usesVariable(panel.datasource, vars) ||
        (panel.datasource === undefined && targets.every((t) => usesVariable(t.datasource, vars)));
      if (!ok)
        err(
          `panel "${title}" does not use the datasource variable $${vars[0]}`,
          loc.lineOf([...path, 'datasource']),
          undefined,
          'DASH004',
        );
    }
    targets.forEach((t, ti) => {
      if (typeof t.expr !== 'string' || isGrafanaBuiltin(t.datasource)) return;
      const problem = checkPromql(grafanaToPromql(t.expr));
      if (problem) {
        const pos = loc.posOf([...path, 'targets', ti, 'expr']);
        err(
          `panel "${title}" query ${t.refId ?? ti}: invalid PromQL at column ${problem.column}: ${problem.message}`,
          pos?.line,
          pos?.col,
          'DASH003',
        );
      }
    });
  }
  const tpl = ((dash.templating as Json | undefined)?.list ?? []) as Json[];
  tpl.forEach((v, i) => {
    if (v?.type !== 'query') return;
    const q = typeof v.query === 'string' ? v.query : String((v.query as Json | undefined)?.query ?? '');
    const inner =
      /^\s*query_result\((.*)\)\s*$/s.exec(q)?.[1] ??
      (/^\s*(label_values|label_names|metrics)\(/.test(q) ? undefined : q);
    const labelValuesArg = /^\s*label_values\((.*),\s*\w+\)\s*$/s.exec(q)?.[1];
    for (const expr of [inner, labelValuesArg]) {
      if (!expr?.trim()) continue;
      const problem = checkPromql(grafanaToPromql(expr));
      if (problem)
        err(
          `variable ${String(v.name)}: invalid PromQL: ${problem.message}`,
          loc.lineOf(['templating', 'list', i, 'query']),
          undefined,
          'DASH003',
        );
    }
  });
  return out;
}

export const dashboardsCheck: Check = {
  name: 'dashboards',
  title: 'Grafana dashboards',
  async run(ctx): Promise<CheckOutcome> {
    const dir = `${ctx.layout.dashboardsDir}/`;
    const files = (await ctx.files()).filter((f) => f.startsWith(dir) && f.endsWith('.json'));
    if (files.length === 0) return skipped(`no dashboards (*.json) under ${dir}`);
    const uids = new Map<string, string>();
    const findings = files.flatMap((f) => lintDashboard(readFileSync(join(ctx.root, f), 'utf8'), f, uids));
    return { findings, checked: files };
  },
};
