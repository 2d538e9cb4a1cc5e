import { setFlagsFromString } from "node:v8";
import { ConfigError, JournalUnavailableError } from "../errors.ts";
import { SpawnHelperError } from "../laminar/helper-channel.ts";
import { startService } from "../start-service.ts";
import type { LogLevel } from "../types.ts";
import type { CommandIO } from "./io.ts";

/**
 * SIGTERM lets laminarc attempts in flight finish for up to `laminar.timeout` (an attempt is
 * killed then anyway), but no longer than this, well inside systemd's stop timeout.
 */
const MAX_STOP_GRACE_MS = 10_000;

/**
 * V8 lets the old generation grow to several times what survives a collection before it collects
 * again (the factor is up to 4): under a burst of deliveries that was ~65 MB of heap for ~28 MB of
 * live objects. 1.5 times keeps the service ~45 MB smaller under load, for a few more collections
 * of a small heap (bench/README.md). V8 reads this flag each time it sizes the heap, so it applies
 * when set here. Unlike --max-old-space-size it is not a limit: a 25 MB body still parses.
 */
const HEAP_GROWING_PERCENT = 50;

/** `serve`: runs until SIGTERM or SIGINT; SIGHUP reloads the config. */
export async function serveCommand(file: string, options: { logLevel?: LogLevel }, io: CommandIO): Promise<number> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  let service;
  try {
    service = await startService({ configFile: file, env: io.env, ...(options.logLevel ? { logLevel: options.logLevel } : {}) });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 1;
    }
    // Address in use, no permission, a missing TLS file, an unopenable journal, a spawn helper
    // that was not built: say it and stop.
    if (error instanceof JournalUnavailableError || error instanceof SpawnHelperError || typeof (error as NodeJS.ErrnoException).code === "string") {
      io.err(`cannot start: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
  const running = service;
  process.on("SIGHUP", () => running.reload());
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      running.logger.info({ signal }, "stopping: no new deliveries; attempts in flight may finish");
      running.stop(Math.min(running.config().laminar.timeoutMs, MAX_STOP_GRACE_MS)).then(() => resolve(0), (error: unknown) => {
        running.logger.error({ err: error }, "stopping failed");
        resolve(1);
      });
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
