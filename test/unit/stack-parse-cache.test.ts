/**
 * Remembered compose parses: the data and every line answer read back from the cache are exactly what the parser
 * gives (the real stack's files, with merge keys and anchors), a changed file is parsed again, a broken file is
 * never remembered, and a corrupt entry is ignored.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseComposeFile, parseComposeText, type ParsedCompose } from '../../src/core/stack/parse.js';
import { InputError } from '../../src/core/errors.js';

const REAL = [
  'compose/docker-compose.yml',
  'compose/docker-compose.staging.yml',
  'compose/docker-compose.production.yml',
];

/** Every path of the data, plus a missing child under each (what error messages ask for). */
function paths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  const out = [path, [...path, 'no-such-key']];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...path, i])));
  else if (value && typeof value === 'object')
    Object.entries(value).forEach(([k, v]) => out.push(...paths(v, [...path, k])));
  return out;
}

const answers = (p: ParsedCompose, ps: (string | number)[][]) => ps.map((x) => p.lineOf(x));

describe('parseComposeFile with a cache directory', () => {
  it.each(REAL)('%s: cold and warm reads equal the parser, data and lines', (file) => {
    const dir = mkdtempSync(join(tmpdir(), 'erpt-pc-'));
    const direct = parseComposeText(readFileSync(file, 'utf8'), file);
    const ps = paths(direct.data);
    expect(ps.length).toBeGreaterThan(20);
    const cold = parseComposeFile(file, dir);
    expect(readdirSync(join(dir, 'compose'))).toHaveLength(1);
    const warm = parseComposeFile(file, dir);
    for (const p of [cold, warm]) {
      expect(p.data).toEqual(direct.data);
      expect(answers(p, ps)).toEqual(answers(direct, ps));
    }
    expect(answers(warm, [['services', 'api', 'image']])[0]).toBeGreaterThan(1);
  });

  it('a changed file is parsed again (a new entry), never served from the old one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'erpt-pc-'));
    const file = join(dir, 'compose.yml');
    writeFileSync(file, 'services:\n  api:\n    image: a:1\n');
    expect(parseComposeFile(file, dir).data).toEqual({ services: { api: { image: 'a:1' } } });
    writeFileSync(file, 'services:\n  api:\n    image: a:2\n');
    const second = parseComposeFile(file, dir);
    expect(second.data).toEqual({ services: { api: { image: 'a:2' } } });
    expect(second.lineOf(['services', 'api', 'image'])).toBe(3);
    expect(readdirSync(join(dir, 'compose'))).toHaveLength(2);
  });

  it('a broken file is an error every time and is never remembered', () => {
    const dir = mkdtempSync(join(tmpdir(), 'erpt-pc-'));
    const file = join(dir, 'compose.yml');
    writeFileSync(file, 'services:\n  api: [\n');
    for (let i = 0; i < 2; i++) expect(() => parseComposeFile(file, dir)).toThrow(InputError);
    expect(() => readdirSync(join(dir, 'compose'))).toThrow(/ENOENT/);
  });

  it('a corrupt entry is ignored and replaced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'erpt-pc-'));
    const file = join(dir, 'compose.yml');
    writeFileSync(file, 'services:\n  api:\n    image: a:1\n');
    parseComposeFile(file, dir);
    const [entry] = readdirSync(join(dir, 'compose'));
    writeFileSync(join(dir, 'compose', entry), '{"v":1,"data":');
    expect(parseComposeFile(file, dir).data).toEqual({ services: { api: { image: 'a:1' } } });
    expect(JSON.parse(readFileSync(join(dir, 'compose', entry), 'utf8')).v).toBe(1);
  });
});
