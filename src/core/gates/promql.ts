/** PromQL in gates: $variables substituted, then parsed by Prometheus' own lezer grammar to catch typos up front. */
import { parser } from '@prometheus-io/lezer-promql';

/** Built-in variables every query may use; a gates file adds its own under `variables:`. */
export const BUILTIN_VARIABLES = ['environment', 'release', 'baseline_release', 'project'] as const;

const VAR = /\$(\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Names of the $variables a query uses ($name or ${name}). */
export function variablesOf(query: string): string[] {
  return [...query.matchAll(VAR)].map((m) => m[2] ?? m[3]);
}

/** Replace $name / ${name}; a name without a value is left to the caller's check (see variablesOf). */
export function substitute(query: string, vars: Record<string, string>): string {
  return query.replace(VAR, (whole, _b, braced: string | undefined, bare: string | undefined) => {
    const v = vars[braced ?? bare ?? ''];
    return v === undefined ? whole : v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  });
}

export interface PromqlProblem {
  /** 1-based column in the substituted query. */
  column: number;
  message: string;
}

/** Parse a query with the Prometheus grammar; the first syntax error with its position, or undefined. */
export function checkPromql(query: string): PromqlProblem | undefined {
  if (!query.trim()) return { column: 1, message: 'empty query' };
  const tree = parser.parse(query);
  let problem: PromqlProblem | undefined;
  tree.iterate({
    enter: (n) => {
      if (problem) return false;
      if (n.type.isError) {
        const near = query.slice(n.from, n.from + 12);
        problem = {
          column: n.from + 1,
          message: near ? `syntax error near "${near}"` : 'unexpected end of query',
        };
        return false;
      }
      return undefined;
    },
  });
  return problem;
}
