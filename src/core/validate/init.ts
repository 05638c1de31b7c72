/** `erp-deploy init`: a starter erp-deploy.yml, then the list of what else the repository needs. */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import { parseConfig, CONFIG_FILE } from '../config/load.js';
import { missingFiles, type Missing } from './layout.js';

export const STARTER_CONFIG = `# erp-deploy project configuration (written by \`erp-deploy init\`; edit to match your repository).
version: 1
project: erp
compose:
  # The base compose file(s); each environment adds its overlays.
  files: [compose/docker-compose.yml]
build:
  concurrency: 2
  tags: ['sha-{{sha7}}']
environments:
  staging:
    driver: compose
    target: local
    overlays: [compose/docker-compose.staging.yml]
    url: http://127.0.0.1:18000
    prometheusUrl: http://127.0.0.1:19090
  production:
    driver: compose
    target: local
    overlays: [compose/docker-compose.production.yml]
    url: http://127.0.0.1:8000
    prometheusUrl: http://127.0.0.1:9090
gates:
  # PromQL gates a release must pass after each deploy.
  file: compose/gates.yml
`;

export interface InitResult {
  file: string;
  /** What the repository still lacks, each with how to create it. */
  missing: Missing[];
}

export function writeStarter(root: string, opts: { force?: boolean; file?: string } = {}): InitResult {
  const file = resolve(root, opts.file ?? CONFIG_FILE);
  if (existsSync(file) && !opts.force) {
    throw new InputError('already exists; pass --force to overwrite it with the starter', file);
  }
  const config = parseConfig(STARTER_CONFIG, file); // the starter must be valid: never write a broken one
  writeFileSync(file, STARTER_CONFIG);
  return { file, missing: missingFiles(root, config, file) };
}
