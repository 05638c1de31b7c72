/** Read one compose file: YAML with positions, so every later error can name the file and the line. */
import { readFileSync } from 'node:fs';
import { ContentCache } from '../content-cache.js';
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

/** Lines of every path in `data`, as lineOf answers them: the combined answer and the node's own line. */
export interface LineTable {
  /** path (elements joined by \0) → lineOf(path) (null: none). */
  line: Record<string, number | null>;
  /** path → line of the node itself or its nearest enclosing node (what a longer, missing path falls back to). */
  node: Record<string, number | null>;
}

const pathKey = (path: (string | number)[]): string => path.map(String).join('\0');

/** lineOf over a table: exact for every path the table has, else the nearest enclosing path's node line. */
export function tableLineOf(t: LineTable, path: (string | number)[]): number | undefined {
  const exact = t.line[pathKey(path)];
  if (exact !== undefined) return exact ?? undefined;
  for (let p = path.slice(0, -1); ; p = p.slice(0, -1)) {
    const n = t.node[pathKey(p)];
    if (n !== undefined) return n ?? undefined;
    if (!p.length) return undefined;
  }
}

/** The parsed file, and the table of its lines when its data is plain JSON (what can be remembered). */
export function parseComposeWithLines(
  text: string,
  file: string,
): { parsed: ParsedCompose; table?: LineTable } {
  const { parsed, doc, lc } = parseDoc(text, file);
  const table: LineTable = { line: {}, node: {} };
  const walk = (value: unknown, path: (string | number)[]): boolean => {
    const k = pathKey(path);
    table.line[k] = parsed.lineOf(path) ?? null;
    table.node[k] = lineOf(doc, lc, path) ?? null;
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
    if (typeof value === 'number') return Number.isFinite(value);
    if (Array.isArray(value)) return value.every((v, i) => walk(v, [...path, i]));
    if (isMapping(value) && Object.getPrototypeOf(value) === Object.prototype)
      return Object.entries(value).every(([key, v]) => walk(v, [...path, key]));
    return false; // a date, a binary, an undefined: not plain JSON
  };
  return { parsed, table: walk(parsed.data, []) ? table : undefined };
}

export function parseComposeText(text: string, file: string): ParsedCompose {
  return parseDoc(text, file).parsed;
}

function parseDoc(text: string, file: string): { parsed: ParsedCompose; doc: Document; lc: LineCounter } {
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
  return {
    parsed: { file, data, lineOf: (path) => keyLine(doc, lc, path) ?? lineOf(doc, lc, path) },
    doc,
    lc,
  };
}

/** Read and parse a compose file; `cacheDir` (when given) remembers the result by the file's content. */
export function parseComposeFile(file: string, cacheDir?: string): ParsedCompose {
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
  return cacheDir ? parseRemembered(text, file, cacheDir) : parseComposeText(text, file);
}

/**
 * Parsed compose files remembered by their content: a file whose bytes were seen before is read back (its data and
 * the table of its lines) instead of being parsed again; a file that does not parse is never remembered (its error
 * comes from the parser every time).
 */
function parseRemembered(text: string, file: string, dir: string): ParsedCompose {
  const cache = new ContentCache<{ data: Mapping; table: LineTable }>(dir, 'compose', 1);
  const hit = cache.get(text);
  if (hit?.data && hit.table) return { file, data: hit.data, lineOf: (p) => tableLineOf(hit.table, p) };
  const { parsed, table } = parseComposeWithLines(text, file);
  if (table) cache.put(text, { data: parsed.data, table });
  return parsed;
}
