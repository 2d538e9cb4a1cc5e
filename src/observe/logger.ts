// Logging with pino: one JSON line an event, for journald or a log shipper. Secrets cannot reach
// it through the Config (Secret hides itself), and the signature headers are redacted in case a
// request's headers are ever logged whole.

import { pino, type Logger as PinoLogger, type DestinationStream } from "pino";
import pinoPretty from "pino-pretty";
import type { LogLevel } from "../types.ts";

export type Logger = PinoLogger;

export interface LoggerOptions {
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

const REDACTED_HEADERS = [
  "x-hub-signature", "x-hub-signature-256", "x-gitea-signature", "x-gogs-signature", "x-forgejo-signature",
  "x-gitlab-token", "webhook-signature", "authorization",
].map((name) => `headers["${name}"]`);

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "laminar-hooks" },
      redact: { paths: [...REDACTED_HEADERS, ...REDACTED_HEADERS.map((path) => `*.${path}`)], censor: "[redacted]" },
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
