/** Read, validate and complete erp-deploy.yml. Errors name the file, the field, the line and what was expected. */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { parseDocument, LineCounter, isNode, type Document } from 'yaml';
import { InputError } from '../errors.js';
import { isDeepStrictEqual } from 'node:util';
import { cacheDir } from '../cache-dir.js';
import { ContentCache } from '../content-cache.js';
import validate from './validate-config.generated.js';
import type { EnvironmentConfig, ProjectConfig, ProbeConfig } from './types.js';

export const CONFIG_FILE = 'erp-deploy.yml';

/** Where a YAML path sits in the file, for messages. */
export function lineOf(doc: Document, lc: LineCounter, path: (string | number)[]): number | undefined {
  for (let p = path; p.length >= 0; p = p.slice(0, -1)) {
    const node = p.length ? doc.getIn(p, true) : doc.contents;
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
    if (!p.length) return undefined;
  }
  return undefined;
}

function describe(e: ErrorObject): { field: string; message: string; path: string[] } {
  const path = e.instancePath.split('/').filter(Boolean);
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    path.push(key);
    message = 'unknown key (check the spelling against the configuration reference)';
  } else if (e.keyword === 'enum') {
    message = `expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  } else if (e.keyword === 'pattern') {
    message = `does not match the expected form ${(e.params as { pattern: string }).pattern}`;
  } else if (e.keyword === 'type') {
    message = `expected a ${(e.params as { type: string }).type}`;
  }
  return { field: path.join('.') || '(top level)', message, path };
}

export function parseConfig(text: string, file: string): ProjectConfig {
  return complete(parseRaw(text, file) as unknown as RawConfig, file); // the schema just said so
}

/** The file's data, valid against the schema; errors name the file, the field and the line. */
function parseRaw(text: string, file: string): Record<string, unknown> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new InputError(`not valid YAML: ${e.message.split('\n')[0]}`, file, undefined, e.linePos?.[0].line);
  }
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new InputError('expected a mapping at the top', file);
  if (!validate(raw)) {
    const errors = (validate.errors ?? []).map(describe);
    const first = errors[0];
    const line = lineOf(doc, lc, first.path);
    const more =
      errors.length > 1
        ? ` (and ${errors.length - 1} more: ${errors
            .slice(1, 4)
            .map((x) => x.field)
            .join(', ')})`
        : '';
    throw new InputError(`${first.message}${line ? ` (line ${line})` : ''}${more}`, file, first.field, line);
  }
  return raw;
}

export function loadConfig(path?: string, cwd = process.cwd()): ProjectConfig {
  const file = resolve(cwd, path ?? CONFIG_FILE);
  if (!existsSync(file)) {
    throw new InputError(
      `configuration file not found; create one with \`erp-deploy init\` (or pass --config)`,
      file,
    );
  }
  const text = readFileSync(file, 'utf8');
  // A file seen before is read back as its data (validated again), not parsed again; only plain JSON data is kept.
  const cache = new ContentCache<Record<string, unknown>>(cacheDir(process.env), 'config', 1);
  let raw = cache.get(text);
  if (!raw || !validate(raw)) {
    raw = parseRaw(text, file);
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(raw)), raw)) cache.put(text, raw);
  }
  return complete(raw as unknown as RawConfig, file);
}

type RawEnv = Partial<Omit<EnvironmentConfig, 'name' | 'hooks'>> & {
  hooks?: Partial<EnvironmentConfig['hooks']>;
};
interface RawConfig {
  version: 1;
  project?: string;
  compose?: Partial<ProjectConfig['compose']>;
  registry?: Partial<ProjectConfig['registry']>;
  build?: Partial<ProjectConfig['build']>;
  environments?: Record<string, RawEnv>;
  gates?: Partial<ProjectConfig['gates']>;
  probes?: Partial<ProbeConfig>[];
  stateDir?: string;
}

const DEFAULT_PORTS: Record<string, { api: number; prom: number }> = {
  staging: { api: 18000, prom: 19090 },
  production: { api: 8000, prom: 9090 },
};

function completeEnv(project: string, name: string, e: RawEnv): EnvironmentConfig {
  const ports = DEFAULT_PORTS[name] ?? { api: 28000, prom: 29090 };
  return {
    name,
    driver: e.driver ?? 'compose',
    target: e.target ?? 'local',
    sshKeyEnv: e.sshKeyEnv ?? 'ERP_DEPLOY_SSH_KEY',
    overlays: e.overlays ?? [],
    projectName: e.projectName ?? `${project}-${name}`,
    url: e.url ?? `http://127.0.0.1:${ports.api}`,
    prometheusUrl: e.prometheusUrl ?? `http://127.0.0.1:${ports.prom}`,
    healthTimeout: e.healthTimeout ?? '180s',
    keepReleases: e.keepReleases ?? 10,
    secrets: e.secrets ?? {},
    env: e.env ?? {},
    hooks: { preDeploy: e.hooks?.preDeploy ?? [], postDeploy: e.hooks?.postDeploy ?? [] },
  };
}

function completeProbe(p: Partial<ProbeConfig>): ProbeConfig {
  return {
    name: p.name ?? '',
    url: p.url ?? '/',
    method: p.method ?? 'GET',
    status: p.status ?? 200,
    headers: p.headers ?? {},
    json: p.json ?? {},
    contains: p.contains ?? '',
    timeout: p.timeout ?? '5s',
    retries: p.retries ?? 3,
  };
}

function complete(raw: RawConfig, file: string): ProjectConfig {
  const project = raw.project ?? 'erp';
  const envs = raw.environments ?? { staging: {}, production: {} };
  return {
    file,
    root: dirname(file),
    version: 1,
    project,
    compose: {
      files: raw.compose?.files ?? ['compose/docker-compose.yml'],
      envFiles: raw.compose?.envFiles ?? [],
    },
    registry: {
      host: raw.registry?.host ?? '',
      namespace: raw.registry?.namespace ?? project,
      usernameEnv: raw.registry?.usernameEnv ?? 'REGISTRY_USERNAME',
      passwordEnv: raw.registry?.passwordEnv ?? 'REGISTRY_PASSWORD',
    },
    build: {
      services: raw.build?.services ?? [],
      concurrency: raw.build?.concurrency ?? 2,
      tags: raw.build?.tags ?? ['sha-{{sha7}}'],
      args: raw.build?.args ?? {},
      push: raw.build?.push ?? false,
      cache: raw.build?.cache ?? 'auto',
    },
    environments: Object.fromEntries(
      Object.entries(envs).map(([n, e]) => [n, completeEnv(project, n, e ?? {})]),
    ),
    gates: { file: raw.gates?.file ?? 'compose/gates.yml', deadline: raw.gates?.deadline ?? '10m' },
    probes: (
      raw.probes ?? [
        { name: 'liveness', url: '/health/live' },
        { name: 'readiness', url: '/health/ready' },
      ]
    ).map(completeProbe),
    stateDir: raw.stateDir ?? '/var/lib/erp-deploy',
  };
}

/** The named environment, or a clear error listing the ones that exist. */
export function environmentOf(config: ProjectConfig, name: string): EnvironmentConfig {
  const env = config.environments[name];
  if (!env) {
    throw new InputError(
      `unknown environment "${name}"; expected one of ${Object.keys(config.environments).join(', ')}`,
      config.file,
      'environments',
    );
  }
  return env;
}

/** Resolve a path of the configuration relative to its file. */
export function projectPath(config: ProjectConfig, p: string): string {
  return resolve(config.root, p);
}
