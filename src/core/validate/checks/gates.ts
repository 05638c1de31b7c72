/** The gates file through the gates engine (schema, durations, $variables, PromQL syntax, conditions). */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError, messageOf } from '../../errors.js';
import { parseGatesFile } from '../../gates/load.js';
import { skipped, type Check, type CheckOutcome } from '../types.js';

export const gatesCheck: Check = {
  name: 'gates',
  title: 'Gates file',
  async run(ctx): Promise<CheckOutcome> {
    const file = ctx.layout.gatesFile;
    const abs = join(ctx.root, file);
    if (!existsSync(abs)) return skipped(`no gates file at ${file} (set gates.file in erp-deploy.yml)`);
    try {
      const gates = parseGatesFile(readFileSync(abs, 'utf8'), abs);
      ctx.logger.debug(`${file}: ${gates.gates.length} gate(s)`);
      return { findings: [], checked: [file] };
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const prefix = [e.file, e.field].filter(Boolean).join(': ') + ': ';
      const msg = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : messageOf(e);
      return {
        findings: [
          {
            file: e.file ? relative(ctx.root, e.file) : file,
            line: e.line,
            severity: 'error',
            rule: 'GATE',
            message: `${e.field ? `${e.field}: ` : ''}${msg}`,
          },
        ],
        checked: [file],
      };
    }
  },
};
