/**
 * What build-images produces and deploy-env consumes: service → the exact image built.
 * Published as the build-images output `images` (JSON) and by `erp-deploy build --output FILE`.
 */
export type BuildStatus = 'built' | 'cached' | 'skipped' | 'failed';

export interface BuiltImage {
  service: string;
  /** Repository without tag, e.g. erp/api or ghcr.io/org/erp/api. */
  image: string;
  /** The primary immutable tag, e.g. sha-1a2b3c4 or the content key. */
  tag: string;
  /** Every tag applied. */
  tags: string[];
  /** Registry digest (sha256:…) when pushed; empty when the image only exists on the local engine. */
  digest: string;
  /** Local image id (sha256:…): what the engine runs; deploy verifies containers against it. */
  imageId: string;
  /** What a deploy should reference: image@digest when pushed, else image:tag. */
  ref: string;
  sizeBytes: number;
  status: BuildStatus;
  seconds: number;
  /** The content key that decided built vs cached. */
  contentKey?: string;
}

export type ImageMap = Record<string, BuiltImage>;
