/** YAML (and JSON) documents with positions: the line of a path, for findings that point at the right place. */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';

export interface Located {
  data: unknown;
  /** Line of the key introducing path (or of the nearest enclosing node). */
  lineOf(path: (string | number)[]): number | undefined;
  /** Line and column of a value node. */
  posOf(path: (string | number)[]): { line: number; col: number } | undefined;
  errors: { message: string; line?: number; col?: number }[];
}

export function locate(text: string): Located {
  const lc = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lc, merge: true, uniqueKeys: false });
  const posOf = (path: (string | number)[]): { line: number; col: number } | undefined => {
    const n = path.length ? doc.getIn(path, true) : doc.contents;
    return isNode(n) && n.range ? lc.linePos(n.range[0]) : undefined;
  };
  const lineOf = (path: (string | number)[]): number | undefined => {
    for (let p = path; ; p = p.slice(0, -1)) {
      if (p.length) {
        const parent = p.length > 1 ? doc.getIn(p.slice(0, -1), true) : doc.contents;
        if (isMap(parent)) {
          const key = p[p.length - 1];
          const pair = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === String(key));
          if (pair && isNode(pair.key) && pair.key.range) return lc.linePos(pair.key.range[0]).line;
        }
      }
      const pos = posOf(p);
      if (pos) return pos.line;
      if (!p.length) return undefined;
    }
  };
  return {
    data: doc.errors.length ? undefined : doc.toJS({ maxAliasCount: 1000 }),
    lineOf,
    posOf,
    errors: doc.errors.map((e) => ({
      message: e.message.split('\n')[0],
      line: e.linePos?.[0].line,
      col: e.linePos?.[0].col,
    })),
  };
}

export function locateFile(path: string): Located {
  return locate(readFileSync(path, 'utf8'));
}
