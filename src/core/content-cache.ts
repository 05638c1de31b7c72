/**
 * Values remembered by the content they were computed from: JSON files under <dir>/<kind>/, named by a hash of the
 * kind's format version and the whole text, so a changed text can never be served an old value. Entries of texts
 * not seen for a while are dropped (the newest half is kept beyond `keep`). Unreadable, foreign or unwritable
 * entries only cost the computation: nothing here ever fails.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dropOldest } from './cache-dir.js';

export class ContentCache<T> {
  constructor(
    private readonly dir: string | undefined,
    private readonly kind: string,
    private readonly version: number,
    private readonly keep = 256,
  ) {}

  private file(text: string): string {
    const key = createHash('sha256')
      .update(`${this.kind}\0${this.version}\0${text}`)
      .digest('hex')
      .slice(0, 40);
    return join(this.dir!, this.kind, `${key}.json`);
  }

  get(text: string): T | undefined {
    if (!this.dir) return undefined;
    try {
      const e = JSON.parse(readFileSync(this.file(text), 'utf8')) as { v?: number; value?: T };
      return e.v === this.version ? e.value : undefined;
    } catch {
      return undefined;
    }
  }

  put(text: string, value: T): void {
    if (!this.dir) return;
    const folder = join(this.dir, this.kind);
    try {
      mkdirSync(folder, { recursive: true });
      const file = this.file(text);
      writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify({ v: this.version, value }));
      renameSync(`${file}.${process.pid}.tmp`, file);
      dropOldest(folder, this.keep);
    } catch {
      // a read-only or full cache directory only costs the computation next time
    }
  }
}
