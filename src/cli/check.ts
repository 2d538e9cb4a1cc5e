import { loadConfig } from "../config/load-config.ts";
import { ConfigError, formatProblem } from "../errors.ts";
import { describeConfig } from "./describe-config.ts";
import type { CommandIO } from "./io.ts";

/** `check`: exit 0 and the routing table (warnings on stderr), or exit 1 and every problem as FILE:LINE:COL message. */
export function checkCommand(file: string, io: CommandIO): number {
  try {
    const config = loadConfig(file, { env: io.env });
    for (const warning of config.warnings) io.err(formatProblem({ ...warning, message: `warning: ${warning.message}` }));
    io.out(describeConfig(config));
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return 1;
  }
}
