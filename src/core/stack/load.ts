/**
 * The compose model: parse each file, interpolate it, merge overlays in order with Compose's rules, resolve
 * build contexts and Dockerfiles to absolute paths, and validate the service graph.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { interpolateTree, type Env } from './interpolate.js';
import { isMapping, mergeDocuments, toMapping, type Mapping } from './merge.js';
import { parseComposeFile } from './parse.js';
import type { BuildSpec, ServiceSpec, StackModel } from './types.js';

export interface LoadOptions {
  /** Variables for interpolation (Compose's shell environment + env files, already combined). */
  env: Env;
  /** Directory relative compose file paths are resolved against (default: process.cwd()). */
  cwd?: string;
  /** Remember parsed files by content here (cacheDir()); none: parse every time. */
  cacheDir?: string;
}

const isRemote = (ctx: string): boolean => /^(https?:\/\/|git@|git:\/\/|github\.com\/)/.test(ctx);

function buildSpec(raw: unknown, projectDir: string, file: string, name: string, line?: number): BuildSpec {
  const b: Mapping = typeof raw === 'string' ? { context: raw } : isMapping(raw) ? raw : {};
  if (typeof raw !== 'string' && !isMapping(raw)) {
    throw new InputError(
      'expected a context path or a mapping with context/dockerfile/args',
      file,
      `services.${name}.build`,
      line,
    );
  }
  const ctx = String(b.context ?? '.');
  const context = isRemote(ctx) ? ctx : resolve(projectDir, ctx);
  const df = String(b.dockerfile ?? 'Dockerfile');
  const dockerfile = isRemote(ctx) || isAbsolute(df) ? df : resolve(context, df);
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(toMapping(b.args)))
    if (v !== null && v !== undefined) args[k] = String(v);
  return { context, dockerfile, args, ...(b.target !== undefined ? { target: String(b.target) } : {}) };
}

function dependsOn(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  if (isMapping(raw)) return Object.keys(raw);
  return [];
}

/** A cycle in depends_on, as a path a → b → a, or undefined. */
export function findCycle(graph: Record<string, string[]>): string[] | undefined {
  const state: Record<string, 1 | 2> = {};
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state[n] === 2) return undefined;
    if (state[n] === 1) return [...stack.slice(stack.indexOf(n)), n];
    state[n] = 1;
    stack.push(n);
    for (const d of graph[n] ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state[n] = 2;
    return undefined;
  };
  for (const n of Object.keys(graph).sort()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

export function loadStack(files: string[], opts: LoadOptions): StackModel {
  if (!files.length)
    throw new InputError('no compose files given; expected at least one', undefined, 'compose.files');
  const cwd = opts.cwd ?? process.cwd();
  const paths = files.map((f) => resolve(cwd, f));
  // Compose resolves every relative path against the project directory: the first file's directory.
  const projectDir = dirname(paths[0]);
  const unset = new Set<string>();
  let document: Mapping = {};
  const origin: Record<string, { file: string; line?: number }> = {};
  for (const file of paths) {
    const parsed = parseComposeFile(file, opts.cacheDir);
    const data = interpolateTree(parsed.data, {
      env: opts.env,
      unset,
      file,
      lineOf: parsed.lineOf,
    }) as Mapping;
    for (const name of Object.keys((data.services as Mapping) ?? {})) {
      origin[name] = { file, line: parsed.lineOf(['services', name]) };
    }
    document = mergeDocuments(document, data);
  }
  const servicesRaw = (document.services as Mapping) ?? {};
  if (!Object.keys(servicesRaw).length) {
    throw new InputError('no services defined; expected a services: mapping', paths[0], 'services');
  }
  const services: Record<string, ServiceSpec> = {};
  for (const [name, value] of Object.entries(servicesRaw)) {
    const { file, line } = origin[name];
    if (!isMapping(value)) throw new InputError('expected a mapping', file, `services.${name}`, line);
    if (value.build === undefined && value.image === undefined) {
      throw new InputError(
        `service "${name}" has neither build nor image; expected one of them`,
        file,
        `services.${name}`,
        line,
      );
    }
    services[name] = {
      name,
      ...(value.image !== undefined ? { image: String(value.image) } : {}),
      ...(value.build !== undefined ? { build: buildSpec(value.build, projectDir, file, name, line) } : {}),
      dependsOn: dependsOn(value.depends_on),
      hasHealthcheck: isMapping(value.healthcheck) && value.healthcheck.disable !== true,
      raw: value,
      file,
      line,
    };
  }
  for (const s of Object.values(services)) {
    for (const d of s.dependsOn) {
      if (!services[d]) {
        throw new InputError(
          `depends on unknown service "${d}"; expected one of ${Object.keys(services).join(', ')}`,
          s.file,
          `services.${s.name}.depends_on`,
          s.line,
        );
      }
    }
  }
  const cycle = findCycle(Object.fromEntries(Object.values(services).map((s) => [s.name, s.dependsOn])));
  if (cycle) {
    const s = services[cycle[0]];
    throw new InputError(
      `dependency cycle: ${cycle.join(' → ')}`,
      s.file,
      `services.${s.name}.depends_on`,
      s.line,
    );
  }
  return { files: paths, projectDir, services, document, unsetVariables: [...unset].sort() };
}
