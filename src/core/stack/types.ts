/**
 * The compose model shared by build-images, deploy-env and the static checks.
 * Loaded from the project's compose files plus an environment's overlays, merged with Compose's rules and
 * interpolated (${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$).
 */
export interface BuildSpec {
  /** Absolute path of the build context. */
  context: string;
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
}

export interface ServiceSpec {
  name: string;
  /** The image name the compose file gives (may be absent for build-only services). */
  image?: string;
  build?: BuildSpec;
  dependsOn: string[];
  hasHealthcheck: boolean;
  /** The merged, interpolated service mapping as compose would see it. */
  raw: Record<string, unknown>;
  /** Which compose file (last to define it) and where, for messages. */
  file: string;
  line?: number;
}

export interface StackModel {
  /** Files merged, in order. */
  files: string[];
  services: Record<string, ServiceSpec>;
  /** The merged, interpolated compose document (services, networks, volumes, secrets, configs, …). */
  document: Record<string, unknown>;
  /** Compose's project directory (the first file's directory): relative paths in the document resolve here. */
  projectDir: string;
  /** Variables used without a value or default (Compose substitutes "" and warns). */
  unsetVariables: string[];
}
