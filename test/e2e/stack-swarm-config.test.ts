/**
 * The stack's compose files, made into Swarm stack files the way erp-deploy's Swarm driver does it (render →
 * prepare → toSwarmDocument), pass `docker stack config`: the Docker CLI's own 3.8 schema and conversion.
 * No swarm is needed; the test only needs a Docker CLI with `stack config` (20.10+ with the stack plugin).
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { prepareCompose } from '../../src/core/deploy/compose-doc.js';
import type { PrepareContext } from '../../src/core/deploy/driver.js';
import { toSwarmDocument } from '../../src/core/deploy/swarm-doc.js';
import { run } from '../../src/core/exec.js';
import { MemoryLogger } from '../../src/core/log.js';
import { loadStack, renderCompose } from '../../src/core/stack/index.js';
import { ROOT } from './build-harness.js';
import { CONTRACT_SERVICES } from '../helpers/stack-services.js';

/** A Docker CLI that has `docker stack config` (Debian's 20.10 client has not; newer clients have). */
async function stackConfigCli(): Promise<string> {
  for (const cli of ['docker', '/usr/local/bin/docker', '/usr/bin/docker']) {
    const r = await run(cli, ['stack', 'config', '--help'], { ignoreReturnCode: true }).catch(
      () => undefined,
    );
    if (r?.code === 0) return cli;
  }
  throw new Error(
    'no Docker CLI with `docker stack config` found (docker, /usr/local/bin/docker, /usr/bin/docker)',
  );
}

describe.each(['staging', 'production'])('the %s stack as a Swarm stack file', (environment) => {
  it('passes docker stack config with every service, secret and volume', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'erpt-stack-swarm-'));
    try {
      const vars = { ...process.env, ERP_SECRETS_DIR: dir, COMPOSE_PROFILES: 'grafana' } as Record<
        string,
        string
      >;
      const files = ['compose/docker-compose.yml', `compose/docker-compose.${environment}.yml`];
      const model = loadStack(files, { env: vars, cwd: ROOT });
      const prepared = prepareCompose(renderCompose(model, {}), join(ROOT, 'compose'), [], vars);
      const logger = new MemoryLogger();
      const ctx = {
        project: 'erpt-stack',
        secrets: [],
        logger,
        stateRoot: dir,
        facts: { routing: 'ingress' },
        vars,
      };
      const doc = toSwarmDocument(prepared.document, ctx as PrepareContext);
      const file = join(dir, 'stack.yml');
      writeFileSync(file, stringify(doc));
      const r = await run(await stackConfigCli(), ['stack', 'config', '-c', file], {
        ignoreReturnCode: true,
        timeoutMs: 60_000,
      });
      expect(r.stderr.split('\n').filter((l) => l && !l.includes('ignoring IP-address'))).toEqual([]);
      expect(r.code).toBe(0);
      const out = r.stdout;
      for (const s of CONTRACT_SERVICES) {
        expect(out).toMatch(new RegExp(`^  ${s}:$`, 'm'));
      }
      expect(out).toContain('order: start-first');
      for (const v of ['redis-data', 'prometheus-data', 'alertmanager-data', 'grafana-data'])
        expect(out).toContain(`${v}:`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
