/**
 * JUnit XML (pytest --junitxml, xunit1 or xunit2) → test cases with outcome, time and the file:line a failure
 * points at (the deepest traceback frame in the test's own file, else the test's definition).
 */
import { XMLParser } from 'fast-xml-parser';

export type TestOutcome = 'passed' | 'failed' | 'error' | 'skipped';

export interface TestCase {
  /** classname::name, as pytest prints it. */
  id: string;
  name: string;
  classname: string;
  /** Path as pytest reported it (relative to where pytest ran), when known. */
  file?: string;
  line?: number;
  seconds: number;
  outcome: TestOutcome;
  /** Failure/error/skip message (first line) and the full text for failures. */
  message?: string;
  details?: string;
}

export interface TestReport {
  cases: TestCase[];
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  seconds: number;
}

type Node = Record<string, unknown>;
const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function textOf(n: unknown): { message?: string; text: string } {
  if (n === undefined || n === null) return { text: '' };
  if (typeof n !== 'object') return { text: String(n) };
  const o = n as Node;
  return {
    message: o['@_message'] !== undefined ? String(o['@_message']) : undefined,
    text: String(o['#text'] ?? ''),
  };
}

/** The file a classname like `tests.test_orders.TestX` most likely lives in. */
function fileFromClassname(classname: string): string | undefined {
  const parts = classname.split('.');
  const i = parts.findIndex((p) => /^[A-Z]/.test(p));
  const mod = (i >= 0 ? parts.slice(0, i) : parts).join('/');
  return mod ? `${mod}.py` : undefined;
}

/** `path/to/test_x.py:42: AssertionError` frames in a traceback; the last one in the test's file wins. */
export function failureLocation(
  text: string,
  file: string | undefined,
): { file: string; line: number } | undefined {
  const frames = [...text.matchAll(/^([^\s:][^:\n]*\.py):(\d+):/gm)].map((m) => ({
    file: m[1],
    line: Number(m[2]),
  }));
  if (!frames.length) return undefined;
  const own = file
    ? frames.filter((f) => f.file === file || f.file.endsWith(`/${file}`) || file.endsWith(f.file))
    : [];
  return (own.length ? own : frames)[(own.length ? own : frames).length - 1];
}

export function parseJUnit(xml: string): TestReport {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    textNodeName: '#text',
    parseAttributeValue: false,
    trimValues: false,
    htmlEntities: true,
  });
  const doc = parser.parse(xml) as Node;
  const suites: Node[] = [];
  const collect = (n: unknown): void => {
    for (const s of arr(n as Node | Node[])) {
      if (!s || typeof s !== 'object') continue;
      suites.push(s);
      collect(s.testsuite);
    }
  };
  collect((doc.testsuites as Node | undefined)?.testsuite ?? doc.testsuite);
  if (!suites.length && !doc.testsuites)
    throw new Error('not a JUnit report: no <testsuites> or <testsuite> element');
  const cases: TestCase[] = [];
  for (const s of suites) {
    for (const c of arr(s.testcase as Node | Node[])) {
      const classname = String(c['@_classname'] ?? '');
      const name = String(c['@_name'] ?? '');
      const declared = c['@_file'] !== undefined ? String(c['@_file']) : fileFromClassname(classname);
      // pytest's xunit1 `line` is 0-based (the def line); make it 1-based.
      const defLine = c['@_line'] !== undefined ? Number(c['@_line']) + 1 : undefined;
      const failure = c.failure ?? c.error;
      const skip = c.skipped;
      let outcome: TestOutcome = 'passed';
      let message: string | undefined;
      let details: string | undefined;
      let file = declared;
      let line = defLine;
      if (failure !== undefined) {
        outcome = c.failure !== undefined ? 'failed' : 'error';
        const t = textOf(arr(failure as Node | Node[])[0]);
        details = t.text;
        message = (
          t.message ??
          t.text.split('\n').find((l) => /^E\s/.test(l)) ??
          t.text.split('\n')[0] ??
          ''
        ).trim();
        const loc = failureLocation(t.text, declared);
        if (loc) {
          file = loc.file;
          line = loc.line;
        }
      } else if (skip !== undefined) {
        outcome = 'skipped';
        const t = textOf(arr(skip as Node | Node[])[0]);
        message = (t.message ?? t.text).trim();
      }
      cases.push({
        id: classname ? `${classname}::${name}` : name,
        name,
        classname,
        file,
        line,
        seconds: Number(c['@_time'] ?? 0) || 0,
        outcome,
        message,
        details,
      });
    }
  }
  const count = (o: TestOutcome): number => cases.filter((c) => c.outcome === o).length;
  return {
    cases,
    passed: count('passed'),
    failed: count('failed'),
    errors: count('error'),
    skipped: count('skipped'),
    seconds: cases.reduce((a, c) => a + c.seconds, 0),
  };
}

export function slowest(report: TestReport, n = 5): TestCase[] {
  return [...report.cases].sort((a, b) => b.seconds - a.seconds).slice(0, n);
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function testsMarkdown(report: TestReport, pathPrefix = ''): string {
  const ok = report.failed + report.errors === 0;
  const lines = [
    `### Application tests: ${ok ? 'passed' : 'failed'}`,
    '',
    '| passed | failed | errors | skipped | time |',
    '|---:|---:|---:|---:|---:|',
    `| ${report.passed} | ${report.failed} | ${report.errors} | ${report.skipped} | ${report.seconds.toFixed(1)}s |`,
  ];
  const bad = report.cases.filter((c) => c.outcome === 'failed' || c.outcome === 'error');
  if (bad.length) {
    lines.push('', '| failed test | where | message |', '|---|---|---|');
    for (const c of bad.slice(0, 30)) {
      lines.push(
        `| \`${cell(c.id)}\` | \`${pathPrefix}${c.file ?? '?'}${c.line ? `:${c.line}` : ''}\` | ${cell(c.message ?? '').slice(0, 200)} |`,
      );
    }
  }
  const slow = slowest(report);
  if (slow.length) {
    lines.push('', '<details><summary>Slowest tests</summary>', '', '| test | time |', '|---|---:|');
    for (const c of slow) lines.push(`| \`${cell(c.id)}\` | ${c.seconds.toFixed(3)}s |`);
    lines.push('', '</details>');
  }
  return lines.join('\n') + '\n';
}
