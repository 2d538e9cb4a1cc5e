// The framing spoken with the native helper (spawn-helper.c, whose header describes it): the same
// messages as helper-protocol.ts, as length-prefixed binary frames over the helper's stdin and
// stdout. Strings travel NUL-terminated, so one that holds a NUL is refused here rather than
// split on the other side.

import { constants } from "node:os";
import { getSystemErrorName } from "node:util";
import { outputText, type HelperRequest, type ResultMessage } from "./helper-protocol.ts";

const EXITED = 1;
const SIGNALED = 2;
const TIMED_OUT = 4;
const CANCELED = 8;
const SPAWN_ERROR = 16;
const RESULT_HEADER = 29;

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, number]) => [number as number, name]));

/** One frame for the helper's stdin; throws on a string holding NUL. */
export function encodeRequest(message: HelperRequest): Buffer {
  switch (message.type) {
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

function frame(type: "E" | "R" | "C", numbers: readonly number[], strings: readonly string[]): Buffer {
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

/** A timeout beyond what a u32 of milliseconds holds (49 days) waits as long as it can. */
function clampU32(value: number): number {
  return Math.min(Math.max(0, Math.round(value)), 0xffffffff);
}

/** Turns the helper's stdout, chunk by chunk, into ResultMessages. */
export class ResultDecoder {
  #pending: Buffer = Buffer.alloc(0);
  /** The program each run started, for the message when it could not be started. */
  readonly #files = new Map<number, string>();

  /** Call with each run sent, so that its spawn error can name the program. */
  started(id: number, file: string): void {
    this.#files.set(id, file);
  }

  push(chunk: Buffer): ResultMessage[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const results: ResultMessage[] = [];
    while (this.#pending.length >= 4) {
      const length = this.#pending.readUInt32LE(0);
      if (this.#pending.length < 4 + length) break;
      results.push(this.#decode(this.#pending.subarray(4, 4 + length)));
      this.#pending = this.#pending.subarray(4 + length);
    }
    return results;
  }

  #decode(body: Buffer): ResultMessage {
    if (body.length < RESULT_HEADER) throw new Error(`the spawn helper sent a result of ${body.length} bytes`);
    const id = body.readUInt32LE(0);
    const flags = body.readUInt8(4);
    const exitCode = body.readInt32LE(5);
    const signalNumber = body.readUInt32LE(9);
    const errno = body.readUInt32LE(13);
    const durationMs = body.readUInt32LE(17);
    const outLength = body.readUInt32LE(21);
    const errLength = body.readUInt32LE(25);
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
      // Node's own wording for a failed spawn, so the messages read the same with either helper.
      const code = errnoName(errno);
      result.spawnError = { code, message: `spawn ${file} ${code}` };
    }
    return result;
  }
}

function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `errno ${errno}`;
  }
}
