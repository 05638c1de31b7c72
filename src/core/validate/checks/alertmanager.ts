/** Alertmanager configuration (a YAML file with route: and receivers: below the compose directory) through amtool check-config. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { run } from '../../exec.js';
import { findTool } from '../tools.js';
import { skipped, type Check, type CheckOutcome, type Finding } from '../types.js';

function isAlertmanagerConfig(text: string): boolean {
  try {
    const d = parse(text) as Record<string, unknown> | null;
    return !!d && typeof d === 'object' && 'route' in d && 'receivers' in d;
  } catch {
    return false;
  }
}

/** amtool's "FAILED: message" (+ YAML "line N:" lines) → findings; a named receiver is looked up in the file. */
export function parseAmtool(output: string, file: string, text: string): Finding[] {
  const out: Finding[] = [];
  const failed = /FAILED:\s*(.*)/.exec(output);
  if (!failed) return out;
  const yamlLines = [...output.matchAll(/^\s*line (\d+): (.*)$/gm)];
  if (yamlLines.length) {
    for (const m of yamlLines)
      out.push({ file, line: Number(m[1]), severity: 'error', message: `${failed[1]} ${m[2]}`.trim() });
    return out;
  }
  const quoted = /"([^"]+)"/.exec(failed[1])?.[1];
  const i = quoted ? text.split('\n').findIndex((l) => l.includes(quoted)) : -1;
  out.push({ file, line: i >= 0 ? i + 1 : undefined, severity: 'error', message: failed[1] });
  return out;
}

export const alertmanagerCheck: Check = {
  name: 'alertmanager',
  title: 'Alertmanager (amtool)',
  async run(ctx): Promise<CheckOutcome> {
    const dir = `${ctx.layout.composeDir}/`;
    const files = (await ctx.files()).filter(
      (f) =>
        f.startsWith(dir) &&
        /\.ya?ml$/.test(f) &&
        isAlertmanagerConfig(readFileSync(join(ctx.root, f), 'utf8')),
    );
    if (!files.length) return skipped(`no Alertmanager configuration (route: and receivers:) under ${dir}`);
    const amtool = findTool('amtool', ctx.env);
    if (!amtool) return skipped('amtool is not installed (Debian package prometheus-alertmanager)', files);
    const findings: Finding[] = [];
    for (const f of files) {
      const res = await run(amtool, ['check-config', f], {
        cwd: ctx.root,
        env: ctx.env,
        ignoreReturnCode: true,
        timeoutMs: 60_000,
      });
      if (res.code === 0) continue;
      const parsed = parseAmtool(`${res.stdout}\n${res.stderr}`, f, readFileSync(join(ctx.root, f), 'utf8'));
      findings.push(
        ...(parsed.length
          ? parsed
          : [
              {
                file: f,
                severity: 'error' as const,
                message: `amtool check-config failed: ${res.stderr.trim()}`,
              },
            ]),
      );
    }
    return { findings, checked: files };
  },
};
