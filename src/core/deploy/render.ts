/** The exact file an environment deploys for an image map: the stack's rendered compose, prepared for the target and driver. */
import { posix } from 'node:path';
import type { ImageMap } from '../images/types.js';
import { InputError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { renderCompose, stackForEnvironment } from '../stack/index.js';
import type { ProjectConfig } from '../config/types.js';
import { prepareCompose, toYaml, type Mapping } from './compose-doc.js';
import type { ReleaseService } from './releases.js';
import type { SecretFile } from './secrets.js';
import { filesRoot, ProjectFiles, type FileUpload } from './ship-files.js';
import type { Session } from './session.js';

/** Every service the image map names must exist in the environment's stack. */
export function checkImageMap(images: ImageMap, services: string[], file?: string): void {
  const unknown = Object.keys(images).filter((s) => !services.includes(s));
  if (unknown.length) {
    throw new InputError(
      `the image map names unknown service(s) ${unknown.join(', ')}; the stack has ${services.join(', ')}`,
      file,
      'images',
    );
  }
  for (const [name, img] of Object.entries(images)) {
    if (!img || typeof img.ref !== 'string' || !img.ref) {
      throw new InputError(
        `images.${name}: expected an entry with a "ref" (image:tag or image@digest)`,
        file,
        'images',
      );
    }
  }
}

export interface RenderedRelease {
  document: Mapping;
  text: string;
  services: Record<string, ReleaseService>;
  /** Project files a remote target needs copies of (empty for a local target). */
  uploads: FileUpload[];
}

export function renderRelease(
  config: ProjectConfig,
  s: Session,
  images: ImageMap,
  secrets: SecretFile[],
  logger: Logger,
): RenderedRelease {
  // ERP_RELEASE reaches containers: the built tag of the API image (stable for the same images, so a repeated
  // deploy restarts nothing), unless the environment or the caller sets it.
  const tag = images.api?.tag ?? Object.values(images)[0]?.tag;
  const vars = { ...(tag ? { ERP_RELEASE: tag } : {}), ...s.env.env, ...s.vars };
  const model = stackForEnvironment(config, s.env.name, vars);
  checkImageMap(images, Object.keys(model.services));
  let rendered: string;
  try {
    rendered = renderCompose(model, images);
  } catch (e) {
    throw new InputError(messageOf(e), model.files[0], 'images');
  }
  const files = s.target.remote ? new ProjectFiles(filesRoot(s.paths.root)) : undefined;
  const prepared = prepareCompose(rendered, model.projectDir, secrets, vars, files?.relocate);
  const document = s.driver.prepare(prepared.document, {
    project: s.env.projectName,
    secrets,
    logger,
    stateRoot: s.paths.root,
    facts: s.facts,
    vars,
  });
  const header = `erp-deploy ${s.env.name} (${s.driver.name}) — ${posix.basename(model.files[0])} + ${model.files.length - 1} overlay(s); images pinned`;
  const services: Record<string, ReleaseService> = {};
  for (const [name, img] of Object.entries(images)) {
    services[name] = { ref: img.ref, imageId: img.imageId, digest: img.digest };
  }
  return { document, text: toYaml(document, header), services, uploads: files?.uploads ?? [] };
}
