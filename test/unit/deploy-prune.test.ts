/** Retention: which release records, images and copies a prune removes (pure selection), and the prune on a target. */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pruneReleases, pruneSelection, unusedImages } from '../../src/core/deploy/prune.js';
import { saveRelease, type Release, type ReleaseOutcome } from '../../src/core/deploy/releases.js';
import { statePaths } from '../../src/core/deploy/state.js';
import { LocalTarget } from '../../src/core/deploy/target-local.js';
import { MemoryLogger } from '../../src/core/log.js';

const rel = (id: string, outcome: ReleaseOutcome, api: string, redis = 'sha256:redis'): Release => ({
  id,
  environment: 'staging',
  driver: 'compose',
  target: 'local',
  services: {
    api: { ref: `erp/api:${id}`, imageId: api, digest: '' },
    redis: { ref: 'erp/redis:1', imageId: redis, digest: '' },
  },
  changed: ['api'],
  who: 'ci',
  at: '2026-11-26T00:00:00Z',
  outcome,
});

describe('pruneSelection', () => {
  const releases = [
    rel('r1', 'healthy', 'sha256:a'),
    rel('r2', 'healthy', 'sha256:b'),
    rel('r3', 'failed', 'sha256:c'),
    rel('r4', 'rolled-back', 'sha256:d'),
  ];

  it('keeps the newest N and always the known-good, even when it is older', () => {
    const { kept, pruned } = pruneSelection(releases, 2);
    expect(kept.map((r) => r.id)).toEqual(['r2', 'r3', 'r4']);
    expect(pruned.map((r) => r.id)).toEqual(['r1']);
    expect(pruneSelection(releases, 10).pruned).toEqual([]);
    expect(pruneSelection(releases, 1).kept.map((r) => r.id)).toEqual(['r2', 'r4']);
  });

  it('removes an image only when no kept release anywhere and no container needs it', () => {
    const { kept, pruned } = pruneSelection(releases, 1); // pruned: r1 (a), r3 (c)
    expect(unusedImages(pruned, kept, new Set())).toEqual(['sha256:a', 'sha256:c']);
    expect(unusedImages(pruned, kept, new Set(['sha256:c']))).toEqual(['sha256:a']);
    const otherProject = [rel('p1', 'healthy', 'sha256:a')];
    expect(unusedImages(pruned, [...kept, ...otherProject], new Set())).toEqual(['sha256:c']);
  });
});

describe('pruneReleases on a target', () => {
  it('removes old records and the file copies only they mounted, keeps what kept releases mount', async () => {
    const state = mkdtempSync(join(tmpdir(), 'erpt-unit-prune-'));
    const target = new LocalTarget();
    const paths = statePaths(state, 'erp-staging');
    const files = join(paths.root, 'files');
    for (const [r, hash] of [
      [rel('r1', 'healthy', ''), 'aaaa'],
      [rel('r2', 'healthy', ''), 'bbbb'],
      [rel('r3', 'healthy', ''), 'bbbb'],
    ] as const) {
      await saveRelease(
        target,
        paths,
        r,
        `services: { prometheus: { volumes: ["${files}/${hash}/rules.yml:/x"] } }\n`,
      );
      await target.makeDir(join(files, hash));
    }
    const logger = new MemoryLogger();
    const report = await pruneReleases(target, paths, 2, 'ci', logger);
    expect(report).toEqual({ releases: ['r1'], images: [], files: ['aaaa'] });
    expect(await target.list(paths.releases)).toEqual(['r2', 'r3']);
    expect(await target.list(files)).toEqual(['bbbb']);
    expect(logger.text()).toMatch(
      /prune: kept the newest 2 release\(s\) and the known-good; removed releases r1/,
    );
    expect(await pruneReleases(target, paths, 2, 'ci', logger)).toEqual({
      releases: [],
      images: [],
      files: [],
    });
  });
});
