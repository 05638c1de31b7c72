/** Finding the host tools the checks drive (promtool, actionlint, pip-audit, npm): PATH first, then usual install places. */
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export function findTool(name: string, env: NodeJS.ProcessEnv, extraDirs: string[] = []): string | undefined {
  const override = env[`ERP_DEPLOY_${name.toUpperCase().replace(/-/g, '_')}`];
  if (override) return override;
  const dirs = [
    ...(env.PATH ?? '').split(delimiter),
    ...extraDirs,
    join(env.GOPATH ?? join(env.HOME ?? homedir(), 'go'), 'bin'),
    join(env.HOME ?? homedir(), '.local', 'bin'),
  ];
  for (const d of dirs.filter(Boolean)) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}
