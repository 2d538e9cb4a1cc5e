import { loadConfig } from "../config/load-config.ts";
import { ConfigError, formatProblem } from "../errors.ts";
import { describeConfig } from "./describe-config.ts";
import type { CommandIO } from "./io.ts";

/**
 * `check`: exit 0 and the routing table (warnings on stderr), or exit 1 and every problem as
 * FILE:LINE:COL message. A secret this shell cannot read is a warning, not a problem: `check` is
 * often run as another user than the service, without its environment, and cannot know what the
 * service's user can read (`serve` refuses at start a secret it cannot read).
 */
export function checkCommand(file: string, io: CommandIO): number {
  try {
    const config = loadConfig(file, { env: io.env, secrets: "where-used" });
    const warnings = [
      ...config.warnings,
      ...config.unreadableSecrets.map((unreadable) => ({
        ...unreadable, message: `${unreadable.message} here (the service must be able to read it: check as its user, with its environment)`,
      })),
    ].sort((a, b) => a.line - b.line || a.col - b.col);
    for (const warning of warnings) io.err(formatProblem({ ...warning, message: `warning: ${warning.message}` }));
    io.out(describeConfig(config));
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return 1;
  }
}
