import { scanText } from '../../src/core/validate/checks/secrets.js';
import { globToRegExp } from '../../src/core/validate/files.js';
import { isLiteralSecret, looksSecretName } from '../../src/core/validate/secret-names.js';

// Built at run time so this file itself never holds a secret-looking literal.
const pem = ['-----BEGIN', 'RSA PRIVATE KEY-----'].join(' ');
const awsId = 'AKIA' + 'IOSFODNN7EXAMPLE';
const ghToken = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const dbUrl = 'postgres://erp:' + 's3cret@db:5432/erp';

const found = (text: string): string[] => scanText(text, 'f').map((f) => `${f.line}:${f.col} ${f.rule}`);

describe('secret scanning patterns', () => {
  test('private keys, AWS key ids, GitHub tokens, with line and column', () => {
    expect(found(`a\n  ${pem}\nMIIEowIBAAKCAQEAx1y2z3+abc/def==\n`)).toEqual(['2:3 SEC001']);
    expect(found(`const k = '${pem}\\r\\nMC4CAQAwBQYDK2VwBCIEIHKj+sVa9WcD';`)).toEqual(['1:12 SEC001']);
    expect(found(`let header = '${pem}\\n';\nconst re = /^${pem}(?:\\r\\n)/;`)).toEqual([]); // code naming the header
    expect(found(`key: ${awsId}\n`)).toEqual(['1:6 SEC002']);
    expect(found(`x\ntoken=${ghToken}\n`)).toEqual(['2:7 SEC004']);
    expect(found(`aws_secret_access_key = ${'wJalrXUtnFEMI/K7MDENG/bPxRfiCY' + 'EXAMPLEKEY'}\n`)).toEqual([
      '1:1 SEC003',
    ]);
  });

  test('passwords in URLs, but not references or placeholders', () => {
    expect(found(`url: ${dbUrl}\n`)).toEqual(['1:6 SEC005']);
    expect(found('url: redis://:${REDIS_PASSWORD}@redis:6379\n')).toEqual([]);
    expect(found('url: https://user:<password>@host/\n')).toEqual([]);
    expect(found('url: https://user:***@host/\n')).toEqual([]);
    expect(found('see https://example.com/a:b@c\n')).toEqual([]); // no user:pass before the host
  });

  test('messages never contain the secret', () => {
    const f = scanText(dbUrl, 'f');
    expect(f[0].message).not.toContain('s3cret');
  });

  test('ignore globs: directories, *, ** and unanchored names', () => {
    expect(globToRegExp('test/fixtures/broken/secrets/').test('test/fixtures/broken/secrets/deploy/id')).toBe(
      true,
    );
    expect(globToRegExp('test/fixtures/broken/secrets/').test('other/test/fixtures/broken/secrets/x')).toBe(
      false,
    );
    expect(globToRegExp('*.pem').test('a/b/c.pem')).toBe(true);
    expect(globToRegExp('docs/**/*.md').test('docs/a/b/c.md')).toBe(true);
    expect(globToRegExp('docs/*.md').test('docs/a/c.md')).toBe(false);
  });

  test('secret-looking names and literal values', () => {
    expect(looksSecretName('REDIS_PASSWORD')).toBe(true);
    expect(looksSecretName('REDIS_PASSWORD_FILE')).toBe(false);
    expect(looksSecretName('GITHUB_TOKEN')).toBe(true);
    expect(looksSecretName('LOG_LEVEL')).toBe(false);
    expect(isLiteralSecret('hunter2')).toBe(true);
    expect(isLiteralSecret('${X}')).toBe(false);
    expect(isLiteralSecret('${X:?set it}')).toBe(false);
    expect(isLiteralSecret('${X:-changeme}')).toBe(true);
    expect(isLiteralSecret('')).toBe(false);
    expect(isLiteralSecret('/run/secrets/x')).toBe(false);
  });
});
