// Logging with pino: one JSON line an event, for journald or a log shipper. Secrets cannot reach
// it through the Config (Secret hides itself), and the signature headers are censored in case a
// request's headers are ever logged whole.

import { pino, type Logger as PinoLogger, type DestinationStream } from "pino";
import pinoPretty from "pino-pretty";
import { isSecretHeader } from "../config/secret.ts";
import type { LogLevel } from "../types.ts";

export type Logger = PinoLogger;

interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; stdout by default. Tests pass a stream that records. */
  destination?: DestinationStream;
  /** Human-readable lines instead of JSON; default: when stdout is a terminal. */
  pretty?: boolean;
}

/** JSON lines for journald and log shippers; colourful single lines for a person at a terminal. */
function defaultDestination(pretty: boolean): DestinationStream {
  if (!pretty) return pino.destination({ dest: 1, sync: false });
  return pinoPretty({ colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service", sync: true });
}

/**
 * A `headers` field is logged with its signatures and tokens censored. A serializer rather than
 * pino's `redact`: redact walks every logged object for its paths, and cost the service ~6 % of
 * its CPU per delivery under load (bench/README.md); a serializer runs only when a line has a
 * `headers` field.
 */
function censorHeaders(headers: unknown): unknown {
  if (typeof headers !== "object" || headers === null) return headers;
  const censored: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    censored[name] = isSecretHeader(name) ? "[redacted]" : value;
  }
  return censored;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "laminar-hooks" },
      serializers: { headers: censorHeaders },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? defaultDestination(options.pretty ?? process.stdout.isTTY === true),
  );
}

/** For tests and commands that must not print. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
