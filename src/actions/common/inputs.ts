/** Input helpers shared by every action: one list parser, booleans, and required inputs with a clear message. */
import * as core from '@actions/core';

/** Newline- or comma-separated list (build-push-action style); ignoreComma keeps commas inside items. */
export function getList(name: string, opts: { ignoreComma?: boolean } = {}): string[] {
  const raw = core.getInput(name);
  const parts = opts.ignoreComma ? raw.split(/\r?\n/) : raw.split(/[\r\n,]+/);
  return parts.map((s) => s.trim()).filter((s) => s.length > 0 && !s.startsWith('#'));
}

export function getOptional(name: string): string | undefined {
  const v = core.getInput(name).trim();
  return v === '' ? undefined : v;
}

export function getBool(name: string, fallback: boolean): boolean {
  const v = core.getInput(name).trim().toLowerCase();
  if (v === '') return fallback;
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new Error(`Input ${name}: expected true or false, got "${v}"`);
}

/** KEY=VALUE lines (build args, env). */
export function getKeyValues(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of getList(name, { ignoreComma: true })) {
    const i = line.indexOf('=');
    if (i <= 0) throw new Error(`Input ${name}: expected KEY=VALUE lines, got "${line}"`);
    out[line.slice(0, i).trim()] = line.slice(i + 1);
  }
  return out;
}
