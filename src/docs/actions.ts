/** The suite's action.yml files as data: the source of the input/output reference and of the root action. */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface ActionInput {
  name: string;
  description: string;
  required: boolean;
  default?: string;
}

export interface ActionOutput {
  name: string;
  description: string;
  /** Composite actions: the expression the output takes. */
  value?: string;
}

export interface ActionDoc {
  /** Directory name under actions/ ('' for the root action). */
  id: string;
  /** Path of the action.yml, relative to the repository root. */
  path: string;
  name: string;
  description: string;
  inputs: ActionInput[];
  outputs: ActionOutput[];
  runs: Record<string, unknown>;
  branding?: { icon?: string; color?: string };
  /** `uses:` reference → its trailing comment (the version of a SHA pin), kept when steps are inlined. */
  pinComments: Record<string, string>;
}

const oneLine = (s: unknown): string =>
  String(s ?? '')
    .replace(/\s+/g, ' ')
    .trim();

export function parseAction(text: string, id: string, path: string): ActionDoc {
  const a = (parse(text) ?? {}) as Record<string, unknown>;
  const inputs = (a.inputs ?? {}) as Record<string, Record<string, unknown>>;
  const outputs = (a.outputs ?? {}) as Record<string, Record<string, unknown>>;
  return {
    id,
    path,
    name: oneLine(a.name),
    description: oneLine(a.description),
    inputs: Object.entries(inputs).map(([name, i]) => ({
      name,
      description: oneLine(i?.description),
      required: i?.required === true || i?.required === 'true',
      default: i?.default === undefined ? undefined : String(i.default),
    })),
    outputs: Object.entries(outputs).map(([name, o]) => ({
      name,
      description: oneLine(o?.description),
      value: o?.value === undefined ? undefined : String(o.value),
    })),
    runs: (a.runs ?? {}) as Record<string, unknown>,
    branding: a.branding as ActionDoc['branding'],
    pinComments: Object.fromEntries(
      [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)\s+(#.*)$/gm)].map((m) => [m[1], m[2].trim()]),
    ),
  };
}

/** Every actions/<name>/action.yml under root, sorted by name. */
export function loadSubActions(root: string): ActionDoc[] {
  const dir = join(root, 'actions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'action.yml')))
    .map((d) => d.name)
    .sort()
    .map((id) => {
      const path = `actions/${id}/action.yml`;
      return parseAction(readFileSync(join(root, path), 'utf8'), id, path);
    });
}

export function loadRootAction(root: string): ActionDoc | undefined {
  const file = join(root, 'action.yml');
  return existsSync(file) ? parseAction(readFileSync(file, 'utf8'), '', 'action.yml') : undefined;
}
