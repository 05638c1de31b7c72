/** Run work items with at most `limit` at once; an item starts when every item it depends on is done. */
import { InputError } from '../errors.js';

export interface Schedulable {
  owner: string;
  dependsOn: string[];
}

/**
 * Returns the items never started because an item they depend on failed (as `failed` judges after it ran).
 * Dependencies on items outside the list are ignored (they were not asked for, e.g. already cached).
 */
export async function schedule<T extends Schedulable>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
  failed: (item: T) => boolean,
): Promise<T[]> {
  const byOwner = new Map(items.map((i) => [i.owner, i]));
  const pending = new Set(items);
  const done = new Set<string>();
  const blocked: T[] = [];
  const running = new Map<string, Promise<void>>();
  const isBlocked = (d: string): boolean =>
    blocked.some((b) => b.owner === d) || (done.has(d) && failed(byOwner.get(d)!));
  while (pending.size || running.size) {
    for (const item of [...pending]) {
      if (running.size >= limit) break;
      const deps = item.dependsOn.filter((d) => byOwner.has(d));
      if (deps.some(isBlocked)) {
        pending.delete(item);
        blocked.push(item);
        continue;
      }
      if (!deps.every((d) => done.has(d))) continue;
      pending.delete(item);
      const p = work(item).finally(() => {
        running.delete(item.owner);
        done.add(item.owner);
      });
      running.set(item.owner, p);
    }
    if (!running.size) {
      if (pending.size) {
        throw new InputError(
          `images build FROM each other in a cycle: ${[...pending].map((u) => u.owner).join(', ')}`,
        );
      }
      break;
    }
    await Promise.race(running.values());
  }
  return blocked;
}
