/** GitHub workflows (.github/workflows/*.yml and the caller templates in workflows/*.yml) through actionlint. */
import { run } from '../../exec.js';
import { findTool } from '../tools.js';
import { skipped, type Check, type CheckOutcome, type Finding } from '../types.js';

interface ActionlintError {
  message: string;
  filepath: string;
  line: number;
  column: number;
  kind: string;
}

export function parseActionlint(stdout: string): Finding[] {
  const text = stdout.trim();
  if (!text) return [];
  const list = JSON.parse(text) as ActionlintError[] | null;
  return (list ?? []).map((e) => ({
    file: e.filepath.replace(/^\.\//, ''),
    line: e.line || undefined,
    col: e.column || undefined,
    severity: 'error' as const,
    rule: e.kind,
    message: e.message,
  }));
}

export const workflowsCheck: Check = {
  name: 'workflows',
  title: 'Workflows (actionlint)',
  async run(ctx): Promise<CheckOutcome> {
    const files = (await ctx.files()).filter((f) =>
      ctx.layout.workflowDirs.some(
        (d) => f.startsWith(`${d}/`) && !f.slice(d.length + 1).includes('/') && /\.ya?ml$/.test(f),
      ),
    );
    if (files.length === 0) return skipped(`no workflow files in ${ctx.layout.workflowDirs.join(' or ')}`);
    const actionlint = findTool('actionlint', ctx.env);
    if (!actionlint) {
      return skipped(
        'actionlint is not installed (go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7, or scripts/setup.sh)',
        files,
      );
    }
    const res = await run(actionlint, ['-no-color', '-format', '{{json .}}', ...files], {
      cwd: ctx.root,
      env: ctx.env,
      ignoreReturnCode: true,
      timeoutMs: 120_000,
    });
    if (res.code > 1)
      return skipped(
        `actionlint could not run (exit ${res.code}): ${res.stderr.trim().split('\n').pop()}`,
        files,
      );
    return { findings: parseActionlint(res.stdout), checked: files };
  },
};
