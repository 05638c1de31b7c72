/** Every generated file of the repository: path → expected content (pure: reads the sources under root). */
import { readFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { join } from 'node:path';
import { configSchema } from '../core/config/schema.js';
import { loadSubActions, parseAction } from './actions.js';
import { referenceMarkdown } from './reference.js';
import { rootActionYaml } from './root-action.js';
import { configurationMarkdown } from './configuration.js';
import { validatorFiles } from './validators.js';

/** The schema as the repository's prettier writes JSON (so `prettier --check .` and the sync test agree). */
async function prettyJson(value: unknown, root: string): Promise<string> {
  const options = (await resolveConfig(join(root, 'schema/x.json'))) ?? {};
  return format(JSON.stringify(value), { ...options, parser: 'json' });
}

export async function generatedFiles(root: string): Promise<Record<string, string>> {
  const subs = loadSubActions(root);
  const rootAction = rootActionYaml(subs);
  return {
    'action.yml': rootAction,
    'docs/reference/inputs.md': referenceMarkdown([parseAction(rootAction, '', 'action.yml'), ...subs], {
      path: '.github/workflows/pipeline.yml',
      text: readFileSync(join(root, '.github/workflows/pipeline.yml'), 'utf8'),
    }),
    'docs/configuration.md': configurationMarkdown(
      configSchema,
      readFileSync(join(root, 'src/core/config/types.ts'), 'utf8'),
      readFileSync(join(root, 'erp-deploy.yml'), 'utf8'),
    ),
    'schema/erp-deploy.schema.json': await prettyJson(configSchema, root),
    ...validatorFiles(),
  };
}
