/**
 * The build plan: which images to build for which services. Services with the same image name and build are
 * one unit; services without build whose image is a unit's image share it (worker and flower run the api
 * image); services with only an upstream image are skipped (reported, never rebuilt). A unit whose Dockerfile
 * builds FROM another unit's image depends on it. Bad input (unknown service, missing Dockerfile, unreadable
 * context) is raised here, before anything runs.
 */
import { accessSync, constants, readFileSync, readdirSync, statSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { BuildSpec, ServiceSpec, StackModel } from '../stack/types.js';
import { externalBases, parseDockerfile, type Instruction } from './dockerfile.js';

export interface BuildUnit {
  /** The service that carries the build (the first in compose order). */
  owner: string;
  /** Every service that runs this image: the owner first, then the ones sharing it. */
  services: string[];
  /** Repository to tag, e.g. erp/api or ghcr.io/org/erp/api. */
  repository: string;
  /** The image string the compose file gives (erp/api:dev), tagged too so `docker-compose up` finds it. */
  composeImage?: string;
  build: BuildSpec;
  instructions: Instruction[];
  dockerfileText: string;
  /** External bases after ARG substitution (e.g. erp-deploy/python:offline). */
  bases: string[];
  /** Owners of units this one builds FROM. */
  dependsOn: string[];
  file: string;
  line?: number;
}

export interface SkippedService {
  service: string;
  image: string;
}

export interface BuildPlan {
  units: BuildUnit[];
  skipped: SkippedService[];
}

export interface PlanOptions {
  /** Restrict to these services (empty: every buildable one). */
  services?: string[];
  /** Build args for every unit; a service's own compose args win. */
  buildArgs?: Record<string, string>;
  /** Registry host and namespace: repositories become host/namespace/name. */
  registry?: { host: string; namespace: string };
  /** Name for build-only services without an image: project/service. */
  project: string;
}

/** Split image[:tag][@digest] into repository and tag (a port in the host is not a tag). */
export function splitImage(image: string): { repository: string; tag?: string; digest?: string } {
  const [nameTag, digest] = image.split('@');
  const slash = nameTag.lastIndexOf('/');
  const colon = nameTag.lastIndexOf(':');
  if (colon > slash) return { repository: nameTag.slice(0, colon), tag: nameTag.slice(colon + 1), digest };
  return { repository: nameTag, digest };
}

function repositoryFor(s: ServiceSpec, opts: PlanOptions): string {
  const local = s.image ? splitImage(s.image).repository : `${opts.project}/${s.name}`;
  if (!opts.registry?.host) return local;
  const name = local.split('/').pop()!;
  return [opts.registry.host, opts.registry.namespace, name].filter(Boolean).join('/');
}

function checkBuild(s: ServiceSpec): string {
  const b = s.build!;
  const field = `services.${s.name}.build`;
  if (/^[a-z]+:\/\/|^git@/.test(b.context)) {
    throw new InputError(
      `remote build contexts are not supported (${b.context}); expected a local directory`,
      s.file,
      `${field}.context`,
      s.line,
    );
  }
  try {
    if (!statSync(b.context).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    readdirSync(b.context);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new InputError(
      `build context ${b.context} cannot be read (${code}); expected a readable directory`,
      s.file,
      `${field}.context`,
      s.line,
    );
  }
  try {
    accessSync(b.dockerfile, constants.R_OK);
    return readFileSync(b.dockerfile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT'
        ? `Dockerfile not found: ${b.dockerfile}`
        : `Dockerfile ${b.dockerfile} cannot be read (${code})`,
      s.file,
      `${field}.dockerfile`,
      s.line,
    );
  }
}

const sameBuild = (a: BuildSpec, b: BuildSpec): boolean => JSON.stringify(a) === JSON.stringify(b);

export function planBuild(model: StackModel, opts: PlanOptions): BuildPlan {
  const all = Object.values(model.services);
  const wanted = opts.services?.filter(Boolean) ?? [];
  const unknown = wanted.filter((n) => !model.services[n]);
  if (unknown.length) {
    throw new InputError(
      `unknown service${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; expected one of ${all.map((s) => s.name).join(', ')}`,
      model.files[model.files.length - 1],
      'services',
    );
  }
  const units: BuildUnit[] = [];
  for (const s of all.filter((x) => x.build)) {
    const repository = repositoryFor(s, opts);
    const build: BuildSpec = { ...s.build!, args: { ...(opts.buildArgs ?? {}), ...s.build!.args } };
    const existing = units.find((u) => u.repository === repository && u.composeImage === s.image);
    if (existing) {
      if (!sameBuild(existing.build, build)) {
        throw new InputError(
          `service "${s.name}" builds image ${s.image} differently from "${existing.owner}"; give it its own image name`,
          s.file,
          `services.${s.name}.build`,
          s.line,
        );
      }
      existing.services.push(s.name);
      continue;
    }
    const dockerfileText = checkBuild(s);
    const instructions = parseDockerfile(dockerfileText);
    if (!instructions.some((i) => i.keyword === 'FROM')) {
      throw new InputError(
        `${build.dockerfile} has no FROM instruction`,
        s.file,
        `services.${s.name}.build.dockerfile`,
        s.line,
      );
    }
    units.push({
      owner: s.name,
      services: [s.name],
      repository,
      composeImage: s.image,
      build,
      instructions,
      dockerfileText,
      bases: externalBases(instructions, build.args),
      dependsOn: [],
      file: s.file,
      line: s.line,
    });
  }
  const skipped: SkippedService[] = [];
  for (const s of all.filter((x) => !x.build)) {
    const unit = units.find((u) => u.composeImage && u.composeImage === s.image);
    if (unit) unit.services.push(s.name);
    else skipped.push({ service: s.name, image: s.image! });
  }
  for (const u of units) {
    u.dependsOn = units
      .filter((o) => o !== u && o.composeImage && u.bases.includes(o.composeImage))
      .map((o) => o.owner);
  }
  if (!wanted.length) return { units, skipped };
  // Keep the units that run a wanted service, plus every unit they build FROM.
  const keep = new Set(units.filter((u) => u.services.some((n) => wanted.includes(n))).map((u) => u.owner));
  const addDeps = (owner: string): void => {
    for (const d of units.find((u) => u.owner === owner)?.dependsOn ?? []) {
      if (!keep.has(d)) {
        keep.add(d);
        addDeps(d);
      }
    }
  };
  for (const owner of [...keep]) addDeps(owner);
  return {
    units: units.filter((u) => keep.has(u.owner)),
    skipped: skipped.filter((s) => wanted.includes(s.service)),
  };
}
