/** The scheduler: bounded concurrency, dependencies first, dependents of a failure never started, cycles. */
import { schedule } from '../../src/core/images/schedule.js';

const item = (owner: string, dependsOn: string[] = []) => ({ owner, dependsOn });
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('schedule', () => {
  it('never runs more than the limit at once and starts an item only after its dependencies', async () => {
    const items = [
      item('base'),
      item('a', ['base']),
      item('b', ['base']),
      item('c'),
      item('d', ['a', 'external']),
    ];
    let running = 0;
    let peak = 0;
    const finished: string[] = [];
    const started: Record<string, string[]> = {};
    await schedule(
      items,
      2,
      async (i) => {
        started[i.owner] = [...finished];
        running++;
        peak = Math.max(peak, running);
        await tick();
        running--;
        finished.push(i.owner);
      },
      () => false,
    );
    expect(peak).toBe(2);
    expect(finished.sort()).toEqual(['a', 'b', 'base', 'c', 'd']);
    expect(started.a).toContain('base');
    expect(started.b).toContain('base');
    expect(started.d).toContain('a'); // 'external' is not in the list: ignored
  });

  it('does not start what builds FROM a failed item, and reports it blocked', async () => {
    const failed = new Set<string>();
    const ran: string[] = [];
    const blocked = await schedule(
      [item('base'), item('a', ['base']), item('a2', ['a']), item('c')],
      1,
      async (i) => {
        ran.push(i.owner);
        if (i.owner === 'base') failed.add('base');
      },
      (i) => failed.has(i.owner),
    );
    expect(ran.sort()).toEqual(['base', 'c']);
    expect(blocked.map((b) => b.owner).sort()).toEqual(['a', 'a2']);
  });

  it('rejects a cycle instead of waiting forever', async () => {
    await expect(
      schedule(
        [item('a', ['b']), item('b', ['a'])],
        2,
        async () => undefined,
        () => false,
      ),
    ).rejects.toThrow(/cycle: a, b/);
  });
});
