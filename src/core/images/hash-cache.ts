/**
 * Remembered file hashes, so an unchanged build context is checked by stat() alone (the way git's index and
 * BuildKit's content cache avoid rereading files). An entry is used only while the file's size, inode, mtime and
 * ctime (nanoseconds) are what they were; a file changed within a second before it was hashed is never trusted
 * (the "racily clean" rule: a later write in the same timestamp tick would look unchanged). The cache is a plain
 * JSON file; a missing, unreadable or foreign one is an empty cache, never an error.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { dropOldest } from '../cache-dir.js';
import type { BigIntStats } from 'node:fs';

const VERSION = 1;

interface Entry {
  /** size:ino:mtimeNs:ctimeNs */
  stat: string;
  hash: string;
}

function statKey(st: BigIntStats): string {
  return `${st.size}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}`;
}

export class HashCache {
  private entries = new Map<string, Entry>();
  private changed = false;

  private readonly racyNs: bigint;

  /** @param racyMs how recent a change may be and still be remembered (tests shorten it). */
  constructor(
    private readonly file?: string,
    racyMs = 1000,
  ) {
    this.racyNs = BigInt(racyMs) * 1_000_000n;
    if (!file) return;
    try {
      const doc = JSON.parse(readFileSync(file, 'utf8')) as { v?: number; files?: Record<string, Entry> };
      if (doc.v === VERSION && doc.files) this.entries = new Map(Object.entries(doc.files));
    } catch {
      // no cache yet, or one this version does not read: start empty
    }
  }

  /** The hash of the file behind `st` (from the cache when its stat is unchanged), computing it when needed. */
  hash(path: string, st: BigIntStats, compute: () => string): string {
    const key = statKey(st);
    const hit = this.entries.get(path);
    if (hit && hit.stat === key) return hit.hash;
    const hash = compute();
    const now = BigInt(Date.now()) * 1_000_000n;
    if (now - st.mtimeNs > this.racyNs && now - st.ctimeNs > this.racyNs) {
      this.entries.set(path, { stat: key, hash });
      this.changed = true;
    } else if (hit) {
      this.entries.delete(path);
      this.changed = true;
    }
    return hash;
  }

  /** Write the cache back if anything changed; failing to write only costs speed next time. */
  save(): void {
    if (!this.file || !this.changed) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ v: VERSION, files: Object.fromEntries(this.entries) }));
      renameSync(tmp, this.file);
      this.changed = false;
      // one file per project root: the newest 64 stay (roots gone away drop out)
      dropOldest(dirname(this.file), 64, (n) => n.startsWith('context-hashes-') && n.endsWith('.json'));
    } catch {
      // read-only checkout or full disk: the next run hashes again
    }
  }
}
