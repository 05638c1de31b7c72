/** What counts as a secret-looking variable name and a literal (inline) secret value. Shared by compose and Dockerfile checks. */

const SECRET_NAME =
  /(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)/i;

/** *_FILE and *_PATH names point at a secret; they do not hold one. */
export function looksSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !/_(FILE|PATH|DIR|ENV|NAME)$/i.test(name);
}

/** A value written in the file (not a ${VAR} reference, not empty, not a file path under /run/secrets). */
export function isLiteralSecret(value: string | undefined | null): boolean {
  if (value === undefined || value === null) return false;
  const v = String(value).trim();
  if (v === '' || v === '""' || v === "''") return false;
  const ref = /^\$\{(\w+)(?::?([-?])([^}]*))?\}$|^\$(\w+)$/.exec(v);
  if (ref) return ref[2] === '-' && !!ref[3]; // ${X:-literal} inlines its default
  if (v.startsWith('/run/secrets/')) return false;
  return true;
}
