import { existsSync } from "node:fs";
import { resolve } from "node:path";

/** `--config`, else $LAMINAR_HOOKS_CONFIG, else ./laminar-hooks.yml, else /etc/laminar-hooks/config.yml. */
export function findConfigFile(given: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (given) return resolve(cwd, given);
  if (env.LAMINAR_HOOKS_CONFIG) return resolve(cwd, env.LAMINAR_HOOKS_CONFIG);
  const local = resolve(cwd, "laminar-hooks.yml");
  return existsSync(local) ? local : "/etc/laminar-hooks/config.yml";
}
