/** Compose-style env files: KEY=VALUE lines, `export ` prefixes, # comments, single/double quotes. */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';

export function parseEnvFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new InputError(`expected KEY=VALUE, got "${line}"`, file, undefined, i + 1);
    let value = m[2];
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    out[m[1]] = value;
  });
  return out;
}

export function readEnvFile(file: string, field = 'compose.envFiles'): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(
      `env file cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      file,
      field,
    );
  }
  return parseEnvFile(text, file);
}
