/** Build plan and engine: what to build, content keys, tags, builders, push, and the resulting image map. */
export {
  planBuild,
  splitImage,
  type BuildPlan,
  type BuildUnit,
  type PlanOptions,
  type SkippedService,
} from './plan.js';
export {
  buildImages,
  failureError,
  type BuildOptions,
  type BuildResult,
  type BuildFailure,
  type RegistryLogin,
} from './build.js';
export { detectBuilder, type Builder, type BuilderKind, type CacheMode } from './builder.js';
export { renderTags, validateTemplates, gitContext, type TagVars, type GitContext } from './tags.js';
export { contentKey, KEY_LABEL } from './key.js';
export { imagesTable } from './summary.js';
export type { BuiltImage, BuildStatus, ImageMap } from './types.js';
export { buildProject, type BuildRequest, type ProjectBuild } from './project.js';
