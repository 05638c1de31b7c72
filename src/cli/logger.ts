/** The core's Logger for a terminal: phases with timing, colours on a TTY, secrets redacted. */
import { Redactor, type Logger, type Where } from '../core/log.js';
import { formatDuration } from '../core/duration.js';

const tty = process.stderr.isTTY && !process.env.NO_COLOR;
const paint = (code: number, s: string): string => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);

export class CliLogger implements Logger {
  readonly redactor = new Redactor();
  private depth = 0;
  constructor(private readonly verbose = !!process.env.ERP_DEPLOY_DEBUG) {
    for (const [k, v] of Object.entries(process.env)) {
      if (v && /(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|SSH_KEY)/.test(k)) this.redactor.add(v);
    }
  }
  private write(s: string): void {
    process.stderr.write('  '.repeat(this.depth) + this.redactor.redact(s) + '\n');
  }
  private at(where?: Where): string {
    return where?.file ? `${where.file}${where.line ? `:${where.line}` : ''}: ` : '';
  }
  info(m: string): void {
    this.write(m);
  }
  debug(m: string): void {
    if (this.verbose) this.write(paint(2, m));
  }
  warn(m: string, where?: Where): void {
    this.write(paint(33, `warning: ${this.at(where)}${m}`));
  }
  error(m: string, where?: Where): void {
    this.write(paint(31, `error: ${this.at(where)}${m}`));
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    this.write(paint(1, `▶ ${name}`));
    this.depth++;
    try {
      return await fn();
    } finally {
      this.depth--;
      this.write(paint(2, `  ${name}: ${formatDuration(Date.now() - started)}`));
    }
  }
  secret(v: string): void {
    this.redactor.add(v);
  }
}
