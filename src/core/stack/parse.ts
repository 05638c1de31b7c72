/** Read one compose file: YAML with positions, so every later error can name the file and the line. */
import { readFileSync } from 'node:fs';
import { parseDocument, LineCounter, isMap, isNode, isScalar, type Document } from 'yaml';
import { InputError } from '../errors.js';
import { lineOf } from '../config/load.js';
import { isMapping, type Mapping } from './merge.js';

export interface ParsedCompose {
  file: string;
  data: Mapping;
  /** Line of a path in this file (the nearest enclosing node that has one). */
  lineOf(path: (string | number)[]): number | undefined;
}

/** Line of the key that introduces a path (services.api → the `api:` line), when the parent is a mapping. */
function keyLine(doc: Document, lc: LineCounter, path: (string | number)[]): number | undefined {
  if (!path.length) return undefined;
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find(
    (p) => isScalar(p.key) && String(p.key.value) === String(path[path.length - 1]),
  );
  return pair && isNode(pair.key) && pair.key.range ? lc.linePos(pair.key.range[0]).line : undefined;
}

export function parseComposeText(text: string, file: string): ParsedCompose {
  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, merge: true });
  } catch (e) {
    throw new InputError(`not valid YAML: ${(e as Error).message.split('\n')[0]}`, file);
  }
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0].line;
    throw new InputError(
      `not valid YAML${line ? ` (line ${line})` : ''}: ${e.message.split('\n')[0]}`,
      file,
      undefined,
      line,
    );
  }
  const data = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  if (data === null || data === undefined)
    throw new InputError('the file is empty; expected a compose mapping with services', file);
  if (!isMapping(data))
    throw new InputError('expected a mapping at the top (services:, volumes:, …)', file, undefined, 1);
  if (data.services !== undefined && data.services !== null && !isMapping(data.services)) {
    throw new InputError(
      'expected a mapping of service names',
      file,
      'services',
      lineOf(doc, lc, ['services']),
    );
  }
  return { file, data, lineOf: (path) => keyLine(doc, lc, path) ?? lineOf(doc, lc, path) };
}

export function parseComposeFile(file: string): ParsedCompose {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT'
        ? 'compose file not found'
        : `cannot read the compose file (${code ?? (e as Error).message})`,
      file,
    );
  }
  return parseComposeText(text, file);
}
