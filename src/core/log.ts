/** The logger the core writes to: actions back it with @actions/core, the CLI with a redacting console. */
export interface Where {
  file?: string;
  line?: number;
  col?: number;
  title?: string;
}

export interface Logger {
  info(message: string): void;
  debug(message: string): void;
  warn(message: string, where?: Where): void;
  error(message: string, where?: Where): void;
  /** A named phase: `core.group` in actions, a heading with timing in the CLI. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Register a value that must never be printed. */
  secret(value: string): void;
}

/** Replaces every registered secret by ***; shared by the CLI logger and anything that writes files. */
export class Redactor {
  private readonly values = new Set<string>();
  add(value: string | undefined): void {
    if (value && value.length >= 3) this.values.add(value);
  }
  redact(text: string): string {
    let out = text;
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join('***');
    return out;
  }
}

/** A logger that keeps lines in memory: for tests and for capturing a phase's log. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  readonly redactor = new Redactor();
  private push(kind: string, m: string): void {
    this.lines.push(`${kind}: ${this.redactor.redact(m)}`);
  }
  info(m: string): void {
    this.push('info', m);
  }
  debug(m: string): void {
    this.push('debug', m);
  }
  warn(m: string): void {
    this.push('warn', m);
  }
  error(m: string): void {
    this.push('error', m);
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.push('group', name);
    return fn();
  }
  secret(v: string): void {
    this.redactor.add(v);
  }
  text(): string {
    return this.lines.join('\n');
  }
}
