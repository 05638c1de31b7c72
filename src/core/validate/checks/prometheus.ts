/**
 * Prometheus configuration, rules and rule unit tests through the host's promtool (`check config`,
 * `check rules`, `test rules`). Files are found below <compose dir>/prometheus/ by what they contain:
 * scrape_configs → configuration, groups → rules, tests + rule_files → unit tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { run } from '../../exec.js';
import { findTool } from '../tools.js';
import { skipped, type Check, type CheckOutcome, type Finding } from '../types.js';

export interface PrometheusFiles {
  configs: string[];
  rules: string[];
  tests: string[];
  /** Configurations whose rule_files are absolute (container) paths: checked with --syntax-only. */
  syntaxOnly: Set<string>;
}

export function classify(root: string, files: string[]): PrometheusFiles {
  const out: PrometheusFiles = { configs: [], rules: [], tests: [], syntaxOnly: new Set() };
  for (const f of files) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(join(root, f), 'utf8'));
    } catch {
      out.rules.push(f); // not YAML: let promtool say so, with its line
      continue;
    }
    if (!doc || typeof doc !== 'object') continue;
    const d = doc as Record<string, unknown>;
    if ('scrape_configs' in d) {
      out.configs.push(f);
      const rf = Array.isArray(d.rule_files) ? (d.rule_files as unknown[]) : [];
      if (rf.some((p) => typeof p === 'string' && p.startsWith('/'))) out.syntaxOnly.add(f);
    } else if ('tests' in d && 'rule_files' in d) out.tests.push(f);
    else if (Array.isArray(d.groups)) out.rules.push(f);
  }
  return out;
}

/**
 * Turns promtool's text into findings: `file: line:col: msg`, YAML's `line N:`, unit-test failures (one per
 * `alertname:`/`expr:` block, the following lines kept in its message), else one finding per failed file.
 */
export function parsePromtool(output: string, files: string[], fallbackFile: string): Finding[] {
  const out: Finding[] = [];
  const known = (p: string): string | undefined =>
    files.find((f) => p === f || p.endsWith(`/${f}`) || f.endsWith(p));
  let current = fallbackFile;
  let failed = false;
  let open: Finding | undefined;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const checking = /^(?:Checking|Unit Testing:)\s+(\S+)/.exec(line);
    if (checking) {
      current = known(checking[1]) ?? checking[1];
      failed = false;
      open = undefined;
      continue;
    }
    if (/^SUCCESS/.test(line)) continue;
    if (/^FAILED:?/.test(line)) {
      failed = true;
      const rest = line.replace(/^FAILED:?\s*/, '');
      open = rest ? push(out, current, rest) : undefined;
      continue;
    }
    const located = /^(\S+?):\s*(\d+):(\d+):\s*(.*)$/.exec(line);
    if (located && /\.ya?ml$/.test(located[1])) {
      const f: Finding = {
        file: known(located[1]) ?? located[1].replace(/^\.\//, ''),
        line: Number(located[2]),
        col: Number(located[3]),
        severity: 'error',
        message: located[4],
      };
      out.push(f);
      open = undefined;
      continue;
    }
    if (!failed) continue;
    if (open && !/^(alertname|expr):|\bline \d+\b/.test(line) && open.message.length < 2000)
      open.message += `\n${line}`;
    else open = push(out, current, line);
  }
  return out;
}

function push(out: Finding[], file: string, message: string): Finding {
  const yamlLine = /\bline (\d+)\b/.exec(message);
  const f: Finding = { file, line: yamlLine ? Number(yamlLine[1]) : undefined, severity: 'error', message };
  out.push(f);
  return f;
}

/** For unit test failures: the line of the alert or expression the failure names, in the test file. */
export function locateInTestFile(text: string, message: string): number | undefined {
  const alert = /alertname:\s*([\w:]+)/.exec(message);
  const expr = /expr:\s*"?([^",\n]+)/.exec(message);
  const needle = alert?.[1] ?? expr?.[1]?.trim();
  if (!needle) return undefined;
  const i = text.split('\n').findIndex((l) => l.includes(needle) && /(alertname|expr)\s*:/.test(l));
  return i >= 0 ? i + 1 : undefined;
}

export const prometheusCheck: Check = {
  name: 'prometheus',
  title: 'Prometheus (promtool)',
  async run(ctx): Promise<CheckOutcome> {
    const dir = `${ctx.layout.composeDir}/prometheus/`;
    const yamls = (await ctx.files()).filter((f) => f.startsWith(dir) && /\.ya?ml$/.test(f));
    const found = classify(ctx.root, yamls);
    const checked = [...found.configs, ...found.rules, ...found.tests];
    if (checked.length === 0) return skipped(`no Prometheus configuration, rules or tests under ${dir}`);
    const promtool = findTool('promtool', ctx.env);
    if (!promtool) return skipped('promtool is not installed (Debian package prometheus)', checked);
    const findings: Finding[] = [];
    const promtoolRun = async (args: string[], files: string[]): Promise<void> => {
      const res = await run(promtool, [...args, ...files], {
        cwd: ctx.root,
        env: ctx.env,
        ignoreReturnCode: true,
        timeoutMs: 120_000,
      });
      if (res.code === 0) return;
      const parsed = parsePromtool(`${res.stdout}\n${res.stderr}`, files, files[0]);
      findings.push(
        ...(parsed.length
          ? parsed
          : [
              {
                file: files[0],
                severity: 'error' as const,
                message: `promtool ${args.join(' ')} failed: ${res.stderr.trim() || res.stdout.trim()}`,
              },
            ]),
      );
    };
    if (!found.configs.length)
      findings.push({
        file: dir,
        severity: 'error',
        message: 'no Prometheus configuration (a YAML file with scrape_configs) found',
      });
    for (const c of found.configs) {
      await promtoolRun(['check', 'config', ...(found.syntaxOnly.has(c) ? ['--syntax-only'] : [])], [c]);
    }
    if (found.rules.length) await promtoolRun(['check', 'rules'], found.rules);
    for (const t of found.tests) {
      const before = findings.length;
      await promtoolRun(['test', 'rules'], [t]);
      const text = readFileSync(join(ctx.root, t), 'utf8');
      for (const f of findings.slice(before))
        if (f.file === t && f.line === undefined) f.line = locateInTestFile(text, f.message);
    }
    return { findings, checked };
  },
};
