/**
 * docs/configuration.md: the erp-deploy.yml reference, generated from the JSON Schema (src/core/config/schema.ts:
 * keys, types, allowed values), the doc comments of src/core/config/types.ts (meaning) and the loader's own
 * defaults (parseConfig of a minimal file), so none of the three can drift from the page.
 */
import ts from 'typescript';
import { parseConfig } from '../core/config/load.js';

type Schema = {
  type?: string | string[];
  enum?: readonly unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  required?: readonly string[];
};

/** Interface name → member → its doc comment. */
export function docComments(typesSource: string): Record<string, Record<string, string>> {
  const sf = ts.createSourceFile('types.ts', typesSource, ts.ScriptTarget.ES2022, true);
  const out: Record<string, Record<string, string>> = {};
  sf.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    const members: Record<string, string> = {};
    for (const m of node.members) {
      if (!ts.isPropertySignature(m) || !m.name) continue;
      const text = ts
        .getJSDocCommentsAndTags(m)
        .map((d) => (ts.isJSDoc(d) ? (ts.getTextOfJSDocComment(d.comment) ?? '') : ''))
        .join(' ')
        .trim();
      if (text) members[m.name.getText(sf)] = text.replace(/\s+/g, ' ');
    }
    out[node.name.text] = members;
  });
  return out;
}

/**
 * Meaning of the keys neither the schema nor types.ts documents (inline types, grouped comments). A unit test
 * fails when a key has no description at all, so a new key cannot reach the page undocumented.
 */
export const EXTRA_DESCRIPTIONS: Record<string, string> = {
  compose: 'Where the services come from.',
  'compose.files':
    'Compose files merged in order (Compose merge rules); every environment starts from these.',
  'compose.envFiles': 'Env files read for ${VAR} interpolation, in order (later files win).',
  registry: 'Where images are pushed and pulled from.',
  'registry.passwordEnv': 'Name of the environment variable holding the registry password or token.',
  build: 'How images are built and tagged (action build-images, `erp-deploy build`).',
  'build.push': 'Push the images after building (needs registry.host).',
  environments:
    'Deploy targets by name (e.g. staging, production); the reusable workflow and `erp-deploy pipeline` judge staging before production.',
  'environments.<name>.driver':
    'compose: docker compose up per release; swarm: docker stack deploy with rolling updates.',
  'environments.<name>.hooks.preDeploy': 'Commands run before the deploy; a failing hook stops it.',
  'environments.<name>.hooks.postDeploy': 'Commands run after a healthy deploy.',
  gates: 'The smoke checks and Prometheus gates that decide whether a release stays.',
  'gates.file': 'Gates file (see the gates reference in compose/gates.yml).',
  'gates.deadline': 'Overall deadline of one check run; a gate still running then is an error.',
  probes:
    'HTTP probes run against the environment URL with the gates. Default: /health/live and /health/ready.',
  'probes[].name': 'Name shown in reports and in failed-gates (as probe:<name>).',
  'probes[].method': 'HTTP method.',
  'probes[].status': 'Expected HTTP status.',
  'probes[].headers': 'Request headers.',
  'probes[].timeout': 'Timeout of one attempt.',
  'probes[].retries': 'Further attempts before the probe fails.',
};

/** Which interface documents the members at a schema path. */
const INTERFACE_AT: Record<string, string> = {
  '': 'ProjectConfig',
  registry: 'RegistryConfig',
  build: 'BuildConfig',
  'environments.<name>': 'EnvironmentConfig',
  'probes[]': 'ProbeConfig',
};

function typeOf(s: Schema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  const t = Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'any');
  if (t === 'array') return `list of ${s.items ? typeOf(s.items) : 'any'}`;
  if (t === 'object' && typeof s.additionalProperties === 'object' && !s.properties)
    return `map of ${typeOf(s.additionalProperties)}`;
  const extra = [
    s.pattern === '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$|^\\d+$'
      ? 'duration (90s, 5m, 1h30m)'
      : s.pattern
        ? `pattern \`${s.pattern.replace(/\|/g, '\\|')}\``
        : '',
    s.minimum !== undefined ? `≥ ${s.minimum}` : '',
    s.maximum !== undefined ? `≤ ${s.maximum}` : '',
    s.minItems ? `at least ${s.minItems}` : '',
  ].filter(Boolean);
  return extra.length ? `${t}, ${extra.join(', ')}` : t;
}

function lookup(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path.split('.').filter(Boolean)) {
    if (v === undefined || v === null) return undefined;
    if (part === '<name>') v = (v as Record<string, unknown>).staging;
    else if (part.endsWith('[]')) v = ((v as Record<string, unknown[]>)[part.slice(0, -2)] ?? [])[0];
    else v = (v as Record<string, unknown>)[part];
  }
  return v;
}

export interface Row {
  path: string;
  type: string;
  required: boolean;
  default: string;
  description: string;
}

function rows(
  s: Schema,
  path: string,
  docs: Record<string, Record<string, string>>,
  defaults: { base: unknown; probe: unknown },
): Row[] {
  const out: Row[] = [];
  const props = s.properties ?? {};
  const iface = INTERFACE_AT[path];
  for (const [key, sub] of Object.entries(props)) {
    const p = path ? `${path}.${key}` : key;
    const isArrayOfObjects = sub.type === 'array' && sub.items?.properties;
    const isMapOfObjects =
      typeof sub.additionalProperties === 'object' && sub.additionalProperties.properties;
    const dv = p.startsWith('probes[]') ? lookup(defaults.probe, p) : lookup(defaults.base, p);
    const leaf = !sub.properties && !isArrayOfObjects && !isMapOfObjects;
    out.push({
      path: p,
      type: isArrayOfObjects
        ? 'list of objects'
        : isMapOfObjects
          ? 'map of name → object'
          : sub.properties
            ? 'object'
            : typeOf(sub),
      required: (s.required ?? []).includes(key),
      default:
        leaf && dv !== undefined && !(s.required ?? []).includes(key) ? `\`${JSON.stringify(dv)}\`` : '',
      description: sub.description ?? (iface ? docs[iface]?.[key] : undefined) ?? EXTRA_DESCRIPTIONS[p] ?? '',
    });
    if (sub.properties) out.push(...rows(sub, p, docs, defaults));
    if (isArrayOfObjects) out.push(...rows(sub.items!, `${p}[]`, docs, defaults));
    if (isMapOfObjects) out.push(...rows(sub.additionalProperties as Schema, `${p}.<name>`, docs, defaults));
  }
  return out;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|') || '—';

export function configurationRows(schema: object, typesSource: string): Row[] {
  const base = parseConfig('version: 1\n', '/project/erp-deploy.yml');
  const probe = parseConfig('version: 1\nprobes: [{ name: example, url: / }]\n', '/project/erp-deploy.yml');
  return rows(schema as Schema, '', docComments(typesSource), { base, probe });
}

export function configurationMarkdown(schema: object, typesSource: string, example: string): string {
  const table = configurationRows(schema, typesSource).map(
    (r) =>
      `| \`${r.path}\` | ${r.type} | ${r.required ? 'yes' : ''} | ${cell(r.default)} | ${cell(r.description)} |`,
  );
  return [
    '<!-- GENERATED by scripts/gen-docs.sh from src/core/config/{schema,types,load}.ts (src/docs/configuration.ts): do not edit by hand. -->',
    '# Configuration reference: `erp-deploy.yml`',
    '',
    'One file configures everything but the services (those come from the compose files): registry, build,',
    'environments (driver, target, overlays, URLs, secrets, hooks), gates and probes. Action inputs and CLI flags',
    'with the same names override it. `erp-deploy init` writes a starter; `erp-deploy config` prints the file',
    'with every default filled in. Editors validate it with the published schema',
    '[`schema/erp-deploy.schema.json`](../schema/erp-deploy.schema.json) (add',
    '`# yaml-language-server: $schema=./schema/erp-deploy.schema.json` at the top of the file).',
    '',
    'Relative paths are resolved against the directory of the file. Errors name the file, the key and the line,',
    'and say what was expected; an unknown key is an error (a typo never silently falls back to a default).',
    '',
    '## Keys',
    '',
    'Defaults of `environments.<name>` are those of an environment named `staging`; `production` defaults to',
    'ports 8000/9090 and any other name to 28000/29090. Without `environments`, `staging` and `production` exist.',
    '',
    '| key | type | required | default | description |',
    '|---|---|---|---|---|',
    ...table,
    '',
    '## Example (this repository)',
    '',
    '```yaml',
    example.trimEnd(),
    '```',
    '',
    '## Secrets and credentials',
    '',
    'The file never holds a secret value, only the names of environment variables that do:',
    '`registry.usernameEnv`/`passwordEnv`, `environments.<name>.sshKeyEnv` and the values of',
    '`environments.<name>.secrets` (secret name → variable). In the reusable workflow these variables come from the',
    'secrets the caller passes explicitly (`registry-username`, `registry-password`, `ssh-key`, `deploy-secrets`).',
    '',
  ].join('\n');
}
