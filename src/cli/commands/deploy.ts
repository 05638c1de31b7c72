/**
 * Deploy verbs over the deploy core: `plan <env>`, `deploy <env> --images FILE`, `rollback <env> [release]`,
 * `releases <env>`, `lock <env> [status|acquire|release]`. Exit codes: 0 ok, 1 failed rollout / held lock,
 * 2 bad input.
 */
import { readFileSync, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../core/config/load.js';
import { parseDuration } from '../../core/duration.js';
import { InputError } from '../../core/errors.js';
import type { ImageMap } from '../../core/images/types.js';
import { deploy, lock, planDeploy, releases, rollback, type LockAction } from '../../core/deploy/index.js';
import type { CliContext, Register } from './types.js';
import { configPath } from './types.js';

function readImages(file: string | undefined): ImageMap {
  if (!file)
    throw new InputError(
      'expected --images FILE (the JSON image map `erp-deploy build --output` writes)',
      undefined,
      '--images',
    );
  if (!existsSync(file)) throw new InputError('image map file not found', file, '--images');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ImageMap;
  } catch (e) {
    throw new InputError(`not JSON: ${(e as Error).message}`, file, '--images');
  }
}

function waitMs(text: string | undefined): number {
  if (!text) return 0;
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new InputError(`expected a duration like 30s or 5m, got "${text}"`, undefined, '--wait');
  return ms;
}

const contextOf = (cmd: Command, env: string, ctx: CliContext) => ({
  config: loadConfig(configPath(cmd)),
  environment: env,
  logger: ctx.logger,
});

const out = (text: string) => process.stdout.write(text + '\n');

export const registerDeploy: Register = (program, ctx) => {
  program
    .command('plan <env>')
    .description('show what a deploy of an image map would restart (changes nothing)')
    .requiredOption('--images <file>', 'image map JSON')
    .action(async (env: string, opts: { images: string }, cmd: Command) => {
      const plan = await planDeploy(contextOf(cmd, env, ctx), { images: readImages(opts.images) });
      out(plan.markdown);
    });

  program
    .command('deploy <env>')
    .description('deploy an image map: lock, plan, health-gated rollout, automatic rollback on failure')
    .requiredOption('--images <file>', 'image map JSON')
    .option('--wait <duration>', 'wait this long for a held deploy lock')
    .option('--ref <ref>', 'git ref being deployed')
    .option('--sha <sha>', 'commit being deployed')
    .option('--init-swarm', 'swarm driver: create a single-node swarm when the engine is not in one')
    .action(
      async (
        env: string,
        opts: { images: string; wait?: string; ref?: string; sha?: string; initSwarm?: boolean },
        cmd: Command,
      ) => {
        const r = await deploy(contextOf(cmd, env, ctx), {
          images: readImages(opts.images),
          lockWaitMs: waitMs(opts.wait),
          ref: opts.ref,
          sha: opts.sha,
          initSwarm: opts.initSwarm,
        });
        out(r.markdown);
        out(
          r.changed
            ? `release ${r.release.id} is live at ${r.url}`
            : `nothing changed: release ${r.release.id} keeps serving ${r.url}`,
        );
      },
    );

  program
    .command('rollback <env> [release]')
    .description('redeploy a recorded release exactly (an id, or "previous")')
    .option('--wait <duration>', 'wait this long for a held deploy lock')
    .action(async (env: string, release: string | undefined, opts: { wait?: string }, cmd: Command) => {
      const r = await rollback(contextOf(cmd, env, ctx), release ?? 'previous', {
        lockWaitMs: waitMs(opts.wait),
      });
      out(r.markdown);
      out(`release ${r.release.id} (restoring ${r.release.rollbackOf}) is live at ${r.url}`);
    });

  program
    .command('releases <env>')
    .description("list the environment's recorded releases (the known-good marked)")
    .option('--json', 'print JSON (releases and the audit log)')
    .action(async (env: string, opts: { json?: boolean }, cmd: Command) => {
      const list = await releases(contextOf(cmd, env, ctx));
      out(opts.json ? JSON.stringify(list, null, 2) : list.markdown);
    });

  program
    .command('lock <env> [action]')
    .description('deploy lock: status (default), acquire or release')
    .option('--wait <duration>', 'acquire: wait this long for a held lock')
    .option('--reason <text>', 'acquire: why (shown to whoever finds it held)')
    .action(
      async (
        env: string,
        action: string | undefined,
        opts: { wait?: string; reason?: string },
        cmd: Command,
      ) => {
        const r = await lock(contextOf(cmd, env, ctx), (action ?? 'status') as LockAction, {
          waitMs: waitMs(opts.wait),
          reason: opts.reason,
        });
        out(r.message);
      },
    );
};
