/** The project configuration (erp-deploy.yml): everything but the services, which come from compose files. */

export type DriverName = 'compose' | 'swarm';

export interface RegistryConfig {
  /** Registry host, e.g. ghcr.io. Empty: images stay on the local engine (nothing is pushed). */
  host: string;
  /** Repository prefix, e.g. my-org/erp. */
  namespace: string;
  /** Names of environment variables holding the credentials (never the values themselves). */
  usernameEnv: string;
  passwordEnv: string;
}

export interface BuildConfig {
  /** Services to build; empty means every buildable service. */
  services: string[];
  /** Parallel builds at the most. */
  concurrency: number;
  /** Tag templates, metadata-action style: {{sha}}, {{sha7}}, {{branch}}, {{version}}, {{env}}, {{date}}. */
  tags: string[];
  /** Build args for every service (a service's own compose args win). */
  args: Record<string, string>;
  push: boolean;
  /** auto: the best the host offers (buildx → BuildKit → legacy); or force one. */
  cache: 'auto' | 'buildx' | 'buildkit' | 'legacy';
}

export interface EnvironmentConfig {
  name: string;
  driver: DriverName;
  /** "local" (this machine's engine) or ssh://user@host[:port]. */
  target: string;
  /** Name of the environment variable holding the SSH private key (for ssh:// targets). */
  sshKeyEnv: string;
  /** Compose overlays merged over compose.files, in order. */
  overlays: string[];
  /** Compose project / Swarm stack name: lets staging and production share an engine. */
  projectName: string;
  /** Public URL of the API (probes and the GitHub Deployment point here). */
  url: string;
  /** Prometheus the gates query for this environment. */
  prometheusUrl: string;
  /** How long a rollout may take to become healthy. */
  healthTimeout: string;
  /**
   * Release records kept on the target after a healthy deploy (the known-good one always stays); older ones
   * go with the images and copied files only they used.
   */
  keepReleases: number;
  /** Secrets the services receive as files: name → environment variable holding the value. */
  secrets: Record<string, string>;
  /** Plain environment for compose interpolation (non-secret). */
  env: Record<string, string>;
  /** Commands run on the runner before/after a deploy (Kamal-style hooks). */
  hooks: { preDeploy: string[]; postDeploy: string[] };
}

export interface ProbeConfig {
  name: string;
  /** Path below the environment URL, or an absolute URL. */
  url: string;
  method: string;
  status: number;
  headers: Record<string, string>;
  /** JSON field assertions: dotted path → expected value (string compare) */
  json: Record<string, string | number | boolean>;
  /** Text the body must contain. */
  contains: string;
  timeout: string;
  retries: number;
}

export interface ProjectConfig {
  /** Absolute path of the file this was read from (for messages), or '<defaults>'. */
  file: string;
  /** Directory relative paths are resolved against. */
  root: string;
  version: 1;
  project: string;
  compose: { files: string[]; envFiles: string[] };
  registry: RegistryConfig;
  build: BuildConfig;
  environments: Record<string, EnvironmentConfig>;
  gates: { file: string; deadline: string };
  probes: ProbeConfig[];
  /** Where releases, the lock and the audit log live on each target. */
  stateDir: string;
}
