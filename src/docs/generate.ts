/** Every generated file of the repository: path → expected content (pure: reads the sources under root). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../core/config/schema.js';
import { loadSubActions, parseAction } from './actions.js';
import { referenceMarkdown } from './reference.js';
import { rootActionYaml } from './root-action.js';
import { configurationMarkdown } from './configuration.js';

export function generatedFiles(root: string): Record<string, string> {
  const subs = loadSubActions(root);
  const rootAction = rootActionYaml(subs);
  return {
    'action.yml': rootAction,
    'docs/reference/inputs.md': referenceMarkdown([parseAction(rootAction, '', 'action.yml'), ...subs]),
    'docs/configuration.md': configurationMarkdown(
      configSchema,
      readFileSync(join(root, 'src/core/config/types.ts'), 'utf8'),
      readFileSync(join(root, 'erp-deploy.yml'), 'utf8'),
    ),
    'schema/erp-deploy.schema.json': JSON.stringify(configSchema, null, 2) + '\n',
  };
}
