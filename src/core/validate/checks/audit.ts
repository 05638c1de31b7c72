/**
 * Dependency audits where the advisory service answers: Python requirements files through pip-audit
 * (pinned requirements, --no-deps, so nothing is installed), npm lock files through `npm audit --json`.
 * When the service cannot be reached the check is skipped with the service's answer, never passed.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from '../../exec.js';
import { findTool } from '../tools.js';
import { skipped, type Check, type CheckOutcome, type Finding, type Severity } from '../types.js';

function lineContaining(text: string, re: RegExp): number | undefined {
  const i = text.split('\n').findIndex((l) => re.test(l));
  return i >= 0 ? i + 1 : undefined;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface PipAuditReport {
  dependencies: {
    name: string;
    version?: string;
    skip_reason?: string;
    vulns?: { id: string; fix_versions?: string[]; aliases?: string[] }[];
  }[];
}

/** Findings from pip-audit's JSON; `unaudited` lists what the service could not answer for. */
export function parsePipAudit(
  json: string,
  file: string,
  text: string,
): { findings: Finding[]; audited: number; unaudited: string[] } {
  const report = JSON.parse(json) as PipAuditReport;
  const findings: Finding[] = [];
  const unaudited: string[] = [];
  let audited = 0;
  for (const d of report.dependencies ?? []) {
    if (d.skip_reason) {
      unaudited.push(`${d.name}: ${d.skip_reason}`);
      continue;
    }
    audited++;
    const line = lineContaining(
      text,
      new RegExp(`^\\s*${escape(d.name).replace(/[-_.]/g, '[-_.]')}\\b`, 'i'),
    );
    for (const v of d.vulns ?? []) {
      findings.push({
        file,
        line,
        severity: 'error',
        rule: v.id,
        message: `${d.name} ${d.version} has a known vulnerability ${v.id}${v.aliases?.length ? ` (${v.aliases.join(', ')})` : ''}; ${v.fix_versions?.length ? `fixed in ${v.fix_versions.join(', ')}` : 'no fixed version yet'}`,
      });
    }
  }
  return { findings, audited, unaudited };
}

export const pythonAuditCheck: Check = {
  name: 'python-audit',
  title: 'Python dependency audit (pip-audit)',
  async run(ctx): Promise<CheckOutcome> {
    const files = (await ctx.files()).filter(
      (f) => /(^|\/)requirements[^/]*\.txt$/.test(f) && !f.startsWith('test/fixtures/'),
    );
    if (!files.length) return skipped('no requirements*.txt files');
    const tool = findTool('pip-audit', ctx.env, [join(ctx.root, '.venv', 'bin')]);
    if (!tool) return skipped('pip-audit is not installed (pip install -r requirements-dev.txt)', files);
    const findings: Finding[] = [];
    const unaudited: string[] = [];
    let audited = 0;
    for (const f of files) {
      const res = await run(
        tool,
        ['--disable-pip', '--no-deps', '-r', f, '-f', 'json', '--progress-spinner', 'off'],
        {
          cwd: ctx.root,
          env: ctx.env,
          ignoreReturnCode: true,
          timeoutMs: 180_000,
        },
      );
      const json = res.stdout.trim();
      if (!json.startsWith('{')) {
        const why =
          res.stderr
            .trim()
            .split('\n')
            .filter((l) => !l.startsWith('WARNING'))
            .pop() ?? `exit ${res.code}`;
        return skipped(`pip-audit could not audit ${f}: ${why}`, files);
      }
      const r = parsePipAudit(json, f, readFileSync(join(ctx.root, f), 'utf8'));
      findings.push(...r.findings);
      unaudited.push(...r.unaudited.map((u) => `${f}: ${u}`));
      audited += r.audited;
    }
    if (audited === 0 && unaudited.length) {
      return skipped(
        `the vulnerability service did not answer for any dependency (${unaudited[0]}${unaudited.length > 1 ? `, and ${unaudited.length - 1} more` : ''})`,
        files,
      );
    }
    for (const u of unaudited)
      findings.push({ file: u.split(':')[0], severity: 'warning', rule: 'unaudited', message: u });
    return { findings, checked: files };
  },
};

interface NpmAuditReport {
  error?: { code?: string; summary?: string; detail?: string };
  message?: string;
  statusCode?: number;
  vulnerabilities?: Record<
    string,
    { name: string; severity: string; range?: string; via?: unknown[]; fixAvailable?: unknown }
  >;
}

const NPM_ERROR_SEVERITIES = new Set(['high', 'critical']);

export function parseNpmAudit(
  json: string,
  file: string,
  lockText: string,
): { findings: Finding[]; error?: string } {
  const report = JSON.parse(json) as NpmAuditReport;
  if (report.error || report.statusCode || (report.message && !report.vulnerabilities)) {
    const e = report.error;
    return {
      findings: [],
      error:
        [report.message, e?.code, e?.summary, e?.detail].filter(Boolean).join(': ') || 'npm audit failed',
    };
  }
  const findings: Finding[] = [];
  for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
    const via = (v.via ?? [])
      .map((x) => (typeof x === 'string' ? x : String((x as { title?: string }).title ?? '')))
      .filter(Boolean);
    const severity: Severity = NPM_ERROR_SEVERITIES.has(v.severity) ? 'error' : 'warning';
    findings.push({
      file,
      line: lineContaining(lockText, new RegExp(`"node_modules/${escape(name)}"\\s*:`)),
      severity,
      rule: `npm-${v.severity}`,
      message: `${name} ${v.range ?? ''} (${v.severity}): ${via.join('; ') || 'vulnerable dependency'}${v.fixAvailable ? ' — `npm audit fix` can fix it' : ''}`,
    });
  }
  return { findings };
}

export const npmAuditCheck: Check = {
  name: 'npm-audit',
  title: 'npm dependency audit',
  async run(ctx): Promise<CheckOutcome> {
    const locks = (await ctx.files()).filter(
      (f) => /(^|\/)package-lock\.json$/.test(f) && !f.startsWith('test/fixtures/'),
    );
    if (!locks.length) return skipped('no package-lock.json');
    const npm = findTool('npm', ctx.env);
    if (!npm) return skipped('npm is not installed', locks);
    const findings: Finding[] = [];
    for (const lock of locks) {
      const res = await run(npm, ['audit', '--json', '--package-lock-only'], {
        cwd: join(ctx.root, dirname(lock)),
        env: ctx.env,
        ignoreReturnCode: true,
        timeoutMs: 180_000,
      });
      let parsed: { findings: Finding[]; error?: string };
      try {
        parsed = parseNpmAudit(res.stdout, lock, readFileSync(join(ctx.root, lock), 'utf8'));
      } catch {
        return skipped(
          `npm audit gave no report for ${lock}: ${res.stderr.trim().split('\n').pop() ?? `exit ${res.code}`}`,
          locks,
        );
      }
      if (parsed.error)
        return skipped(`the npm advisory service did not answer for ${lock}: ${parsed.error}`, locks);
      findings.push(...parsed.findings);
    }
    return { findings, checked: locks };
  },
};
