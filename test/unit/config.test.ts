import { parseConfig, environmentOf } from '../../src/core/config/load.js';
import { InputError } from '../../src/core/errors.js';
import { parseDuration } from '../../src/core/duration.js';

describe('project configuration', () => {
  it('fills defaults for a minimal file', () => {
    const c = parseConfig('version: 1\n', '/p/erp-deploy.yml');
    expect(c.project).toBe('erp');
    expect(Object.keys(c.environments)).toEqual(['staging', 'production']);
    expect(c.environments.staging.projectName).toBe('erp-staging');
    expect(c.environments.production.url).toBe('http://127.0.0.1:8000');
    expect(c.root).toBe('/p');
  });

  it('names file, field and line of an invalid value', () => {
    const text = 'version: 1\nenvironments:\n  staging:\n    driver: kubernetes\n';
    expect(() => parseConfig(text, 'x.yml')).toThrow(InputError);
    expect(() => parseConfig(text, 'x.yml')).toThrow(
      /x\.yml: environments\.staging\.driver: expected one of compose, swarm \(line 4\)/,
    );
  });

  it('rejects unknown keys by name', () => {
    expect(() => parseConfig('version: 1\nbuidl: {}\n', 'x.yml')).toThrow(/x\.yml: buidl: unknown key/);
  });

  it('rejects broken YAML with its line', () => {
    expect(() => parseConfig('version: 1\n  bad: [\n', 'x.yml')).toThrow(/x\.yml: not valid YAML/);
  });

  it('an unknown environment lists the known ones', () => {
    const c = parseConfig('version: 1\n', 'x.yml');
    expect(() => environmentOf(c, 'prod')).toThrow(
      /unknown environment "prod"; expected one of staging, production/,
    );
  });

  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['10', 10_000],
    ['5 minutes', undefined],
    ['', undefined],
  ])('parses duration %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
