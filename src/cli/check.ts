import { loadConfig } from "../config/load-config.ts";
import { ConfigError } from "../errors.ts";
import { describeConfig } from "./describe-config.ts";
import type { CommandIO } from "./io.ts";

/** `check`: exit 0 and the routing table, or exit 1 and every problem as FILE:LINE:COL message. */
export function checkCommand(file: string, io: CommandIO): number {
  try {
    io.out(describeConfig(loadConfig(file, { env: io.env })));
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return 1;
  }
}
