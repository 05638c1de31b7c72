/** The compose model: load + merge + interpolate + validate, per environment, and render for a target. */
export { loadStack, findCycle, type LoadOptions } from './load.js';
export { stackForEnvironment, environmentVariables } from './environment.js';
export { renderCompose, refsFor, type RenderOptions } from './render.js';
export { interpolateString, type Env } from './interpolate.js';
export { parseEnvFile, readEnvFile } from './env-file.js';
export type { BuildSpec, ServiceSpec, StackModel } from './types.js';
