// What LaminarcHelper (in the service) and the spawn helper (spawn-helper.c, whose header
// describes the frames) say to each other: the messages as typed values, and the length-prefixed
// binary frames they travel as over the helper's stdin and stdout. Strings travel NUL-terminated,
// so one that holds a NUL is refused here rather than split on the other side.

import { constants } from "node:os";
import { getSystemErrorName } from "node:util";
import type { AttemptResult } from "../types.ts";

/**
 * The handshake's version, spawn-helper.h PROTOCOL_VERSION: a helper that answers another one was
 * built from other sources (a build/ from another release or another machine) and is not used.
 */
export const PROTOCOL_VERSION = 2;

/** The handshake: the helper answers with its own version. */
interface HelloMessage {
  type: "hello";
  version: number;
}

/**
 * A base environment, sent once and named by `key`: the service's own is the same for every run,
 * and sending it with each would cost more than the rest of the message.
 */
interface EnvMessage {
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
interface CancelMessage {
  type: "cancel";
  id: number;
}

export type HelperRequest = HelloMessage | EnvMessage | RunMessage | CancelMessage;

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

export type HelperReply = HelloMessage | ResultMessage;

/** What a ResultMessage says about the process, without the protocol's fields. */
export type Report = Omit<ResultMessage, "type" | "id">;

/** The report of a process that was never started: nothing ran, nothing printed. */
export function notStarted(durationMs: number, fields: Pick<ResultMessage, "canceled"> & Pick<Partial<ResultMessage>, "spawnError">): Report {
  return { exitCode: null, signal: null, stdout: "", stderr: "", durationMs: Math.round(durationMs), timedOut: false, ...fields };
}

const EXITED = 1;
const SIGNALED = 2;
const TIMED_OUT = 4;
const CANCELED = 8;
const SPAWN_ERROR = 16;
/** 'F', then id, flags, exit code, signal, errno, duration and the two output lengths. */
const RESULT_HEADER = 30;

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, number]) => [number as number, name]));

/** One frame for the helper's stdin; throws on a string holding NUL. */
export function encodeRequest(message: HelperRequest): Buffer {
  switch (message.type) {
    case "hello":
      return frame("H", [message.version], []);
    case "env": {
      const vars = Object.entries(message.env).map(([name, value]) => `${name}=${value}`);
      return frame("E", [message.key, vars.length], vars);
    }
    case "run": {
      const argv = [message.file, ...message.args];
      const set = Object.entries(message.setEnv).map(([name, value]) => `${name}=${value}`);
      return frame("R", [message.id, message.envKey, clampU32(message.timeoutMs), message.maxOutputBytes, argv.length, set.length], [...argv, ...set]);
    }
    case "cancel":
      return frame("C", [message.id], []);
  }
}

function frame(type: "H" | "E" | "R" | "C", numbers: readonly number[], strings: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(type, "latin1")];
  const header = Buffer.alloc(numbers.length * 4);
  numbers.forEach((value, index) => header.writeUInt32LE(value, index * 4));
  parts.push(header);
  for (const text of strings) {
    if (text.includes("\0")) throw new Error(`${JSON.stringify(text.slice(0, 60))} contains a NUL character, which no program argument or environment variable can carry`);
    parts.push(Buffer.from(`${text}\0`, "utf8"));
  }
  const body = Buffer.concat(parts);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length, 0);
  return Buffer.concat([length, body]);
}

/**
 * A timeout beyond what a u32 of milliseconds holds (49 days) waits as long as it can; one that
 * is not a number at all (a bug) waits too rather than killing every call at once.
 */
function clampU32(value: number): number {
  if (Number.isNaN(value)) return 0xffffffff;
  return Math.min(Math.max(0, Math.round(value)), 0xffffffff);
}

/** Turns the helper's stdout, chunk by chunk, into its replies. */
export class ReplyDecoder {
  #pending: Buffer = Buffer.alloc(0);
  /** The program each run started, for the message when it could not be started. */
  readonly #files = new Map<number, string>();

  /** Call with each run sent, so that its spawn error can name the program. */
  started(id: number, file: string): void {
    this.#files.set(id, file);
  }

  /** Throws on a frame no spawn helper of this version sends. */
  push(chunk: Buffer): HelperReply[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const replies: HelperReply[] = [];
    while (this.#pending.length >= 4) {
      const length = this.#pending.readUInt32LE(0);
      if (this.#pending.length < 4 + length) break;
      replies.push(this.#decode(this.#pending.subarray(4, 4 + length)));
      this.#pending = this.#pending.subarray(4 + length);
    }
    return replies;
  }

  #decode(body: Buffer): HelperReply {
    const type = body.toString("latin1", 0, 1);
    if (type === "H" && body.length >= 5) return { type: "hello", version: body.readUInt32LE(1) };
    if (type !== "F" || body.length < RESULT_HEADER) throw new Error(`a frame of ${body.length} bytes starting ${JSON.stringify(body.toString("latin1", 0, 8))}`);
    const id = body.readUInt32LE(1);
    const flags = body.readUInt8(5);
    const exitCode = body.readInt32LE(6);
    const signalNumber = body.readUInt32LE(10);
    const errno = body.readUInt32LE(14);
    const durationMs = body.readUInt32LE(18);
    const outLength = body.readUInt32LE(22);
    const errLength = body.readUInt32LE(26);
    const stdout = outputText(body.subarray(RESULT_HEADER, RESULT_HEADER + outLength));
    const stderr = outputText(body.subarray(RESULT_HEADER + outLength, RESULT_HEADER + outLength + errLength));
    const file = this.#files.get(id) ?? "laminarc";
    this.#files.delete(id);
    const result: ResultMessage = {
      type: "result",
      id,
      exitCode: (flags & EXITED) !== 0 ? exitCode : null,
      signal: (flags & SIGNALED) !== 0 ? (SIGNAL_NAMES.get(signalNumber) ?? `signal ${signalNumber}`) : null,
      stdout,
      stderr,
      durationMs,
      timedOut: (flags & TIMED_OUT) !== 0,
      canceled: (flags & CANCELED) !== 0,
    };
    if ((flags & SPAWN_ERROR) !== 0) {
      // Node's own wording for a failed spawn (`spawn FILE ENOENT`), which classify-result.ts reads.
      const code = errnoName(errno);
      result.spawnError = { code, message: `spawn ${file} ${code}` };
    }
    return result;
  }
}

/** A run's output as the journal keeps it: UTF-8, without one final newline. */
function outputText(bytes: Buffer): string {
  const value = bytes.toString("utf8");
  return value.endsWith("\r\n") ? value.slice(0, -2) : value.endsWith("\n") ? value.slice(0, -1) : value;
}

function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `errno ${errno}`;
  }
}
