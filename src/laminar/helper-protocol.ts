// Messages between LaminarcHelper (in the service) and the helper that starts laminarc: over
// Node's IPC channel as JSON to spawn-helper.ts, or as binary frames to the native spawn-helper.c
// (native-helper-protocol.ts).

import type { AttemptResult } from "../types.ts";

/**
 * A base environment, sent once and named by `key`: the service's own is the same for every run,
 * and sending it with each would cost more than the rest of the message.
 */
export interface EnvMessage {
  type: "env";
  key: number;
  env: Record<string, string>;
}

/** Start `file args…` with the base environment `envKey` plus `setEnv`, bounded in time and output. */
export interface RunMessage {
  type: "run";
  id: number;
  file: string;
  args: string[];
  envKey: number;
  setEnv: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
}

/** Kill that run now (the service is stopping); it is answered as canceled. */
export interface CancelMessage {
  type: "cancel";
  id: number;
}

export type HelperRequest = EnvMessage | RunMessage | CancelMessage;

/**
 * How one run ended, as plain data: an AttemptResult before it is classified (stdout and stderr
 * without their final newline).
 */
export interface ResultMessage extends Omit<AttemptResult, "outcome"> {
  type: "result";
  id: number;
  canceled: boolean;
  /** The process could not be started (`ENOENT`, `EACCES`, `E2BIG`, …). */
  spawnError?: { code?: string; message: string };
}

/** What a ResultMessage says about the process, without the protocol's fields. */
export type Report = Omit<ResultMessage, "type" | "id">;

/** The report of a process that was never started: nothing ran, nothing printed. */
export function notStarted(durationMs: number, fields: Pick<ResultMessage, "canceled"> & Pick<Partial<ResultMessage>, "spawnError">): Report {
  return { exitCode: null, signal: null, stdout: "", stderr: "", durationMs: Math.round(durationMs), timedOut: false, ...fields };
}

/** A run's output as the journal keeps it: UTF-8, without one final newline. */
export function outputText(bytes: Buffer): string {
  const value = bytes.toString("utf8");
  return value.endsWith("\r\n") ? value.slice(0, -2) : value.endsWith("\n") ? value.slice(0, -1) : value;
}
