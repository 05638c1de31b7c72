/**
 * One self-contained compose file for a target: the merged, interpolated document with every service's image
 * replaced by the exact ref that was built (image@digest when pushed, else image:tag) and build keys removed.
 * Services that share a built image without building it (worker, flower use the api image) get the same ref.
 * Literal `$` is escaped again as `$$` so that Compose on the target does not interpolate twice.
 */
import { stringify } from 'yaml';
import type { ImageMap } from '../images/types.js';
import { escapeDollars } from './interpolate.js';
import { isMapping, type Mapping } from './merge.js';
import type { StackModel } from './types.js';

/** The ref each service should run: its own entry, else the entry of a service whose image it shares. */
export function refsFor(model: StackModel, images: ImageMap): Record<string, string> {
  const byImage = new Map<string, string>();
  for (const [name, s] of Object.entries(model.services)) {
    const built = images[name];
    if (built && s.image) byImage.set(s.image, built.ref);
  }
  const refs: Record<string, string> = {};
  for (const [name, s] of Object.entries(model.services)) {
    const ref = images[name]?.ref ?? (s.image ? byImage.get(s.image) : undefined);
    if (ref) refs[name] = ref;
  }
  return refs;
}

export interface RenderOptions {
  /** First comment line of the rendered file. */
  header?: string;
}

export function renderCompose(model: StackModel, images: ImageMap, opts: RenderOptions = {}): string {
  const refs = refsFor(model, images);
  const services: Mapping = {};
  for (const [name, value] of Object.entries((model.document.services as Mapping) ?? {})) {
    const svc: Mapping = { ...(isMapping(value) ? value : {}) };
    if (refs[name]) svc.image = refs[name];
    if (svc.build !== undefined) {
      if (!refs[name] && !svc.image) {
        throw new Error(`service "${name}" is built from source but the image map has no entry for it`);
      }
      delete svc.build;
    }
    services[name] = svc;
  }
  const doc = escapeDollars({ ...model.document, services }) as Mapping;
  delete doc.version;
  const header =
    opts.header ?? `Rendered by erp-deploy from ${model.files.length} compose file(s); images pinned.`;
  return `# ${header}\n` + stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}
