/**
 * Where the deployable lives: from erp-deploy.yml when there is one, else the conventions `erp-deploy init`
 * writes. Also the list of what a repository is missing, with how to create each (never a stack trace).
 */
import { existsSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { ProjectConfig } from '../config/types.js';

export interface Layout {
  /** Base compose files, then every environment's overlays (relative to the root). */
  composeFiles: string[];
  /** Environment name → overlays. */
  overlays: Record<string, string[]>;
  /** The directory of the first compose file: Dockerfiles, prometheus/, grafana/ are looked for below it. */
  composeDir: string;
  gatesFile: string;
  dashboardsDir: string;
  workflowDirs: string[];
}

export function layoutOf(config: ProjectConfig | undefined): Layout {
  const base = config?.compose.files ?? ['compose/docker-compose.yml'];
  const overlays: Record<string, string[]> = config
    ? Object.fromEntries(Object.values(config.environments).map((e) => [e.name, e.overlays]))
    : {};
  const composeDir = posix.dirname(base[0]);
  return {
    composeFiles: [...new Set([...base, ...Object.values(overlays).flat()])],
    overlays,
    composeDir,
    gatesFile: config?.gates.file ?? `${composeDir}/gates.yml`,
    dashboardsDir: `${composeDir}/grafana/dashboards`,
    workflowDirs: ['.github/workflows', 'workflows'],
  };
}

export interface Missing {
  what: string;
  path: string;
  fix: string;
}

/** What the repository lacks for the checks to mean anything, each with the way to create it. */
export function missingFiles(root: string, config: ProjectConfig | undefined, configFile: string): Missing[] {
  const out: Missing[] = [];
  if (!config) {
    out.push({
      what: 'project configuration',
      path: configFile,
      fix: '`erp-deploy init` writes a starter erp-deploy.yml (compose files, environments, gates file)',
    });
  }
  const l = layoutOf(config);
  for (const f of l.composeFiles) {
    if (!existsSync(join(root, f)))
      out.push({
        what: 'compose file',
        path: f,
        fix: 'list your services in compose (one service per container, with a healthcheck) or point compose.files / environments.<env>.overlays in erp-deploy.yml at yours',
      });
  }
  if (!existsSync(join(root, l.gatesFile)))
    out.push({
      what: 'gates file',
      path: l.gatesFile,
      fix: 'write the PromQL gates a release must pass (see docs/gates.md), or set gates.file in erp-deploy.yml',
    });
  if (!existsSync(join(root, dirname(l.composeFiles[0] ?? ''), 'prometheus')))
    out.push({
      what: 'Prometheus configuration',
      path: `${l.composeDir}/prometheus/`,
      fix: 'add prometheus.yml (scrape configs), rules/*.yml and promtool tests so the release can be gated',
    });
  return out;
}

export function formatMissing(missing: Missing[]): string {
  return [
    'This repository is missing files erp-deploy needs:',
    ...missing.map((m) => `  - ${m.what}: ${m.path}\n      how: ${m.fix}`),
  ].join('\n');
}
