/** Compose interpolation forms, one by one. */
import { interpolateString } from '../../src/core/stack/interpolate.js';

const site = { file: 'f.yml', field: 'services.x.image' };
const env = { SET: 'v', EMPTY: '', A: 'a' };
const i = (s: string) => interpolateString(s, env, site);

describe('interpolateString', () => {
  it.each([
    ['${SET}', 'v'],
    ['$SET/x', 'v/x'],
    ['${UNSET}', ''],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${UNSET-d}', 'd'],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET:-${A}-${SET}}', 'a-v'],
    ['$$SET and $${SET}', '$SET and ${SET}'],
    ['cost: 5$', 'cost: 5$'],
  ])('%s → %s', (input, out) => expect(i(input)).toBe(out));

  it.each([
    ['${UNSET:?need it}', /required variable UNSET is missing: need it/],
    ['${EMPTY:?}', /required variable EMPTY is empty/],
    ['${UNSET?x}', /UNSET is missing: x/],
    ['${1BAD}', /expected a variable name/],
    ['${OPEN', /unclosed/],
  ])('%s is an error', (input, re) => expect(() => i(input)).toThrow(re));

  it('${EMPTY?x} accepts an empty but set variable', () => expect(i('${EMPTY?x}')).toBe(''));
});
