// The spawn helper's process (spawn-helper.c) behind one small interface: started, checked with a
// handshake before anything else is sent to it, spoken to in frames (helper-protocol.ts), and lost
// once, with the reason.

import { spawn } from "node:child_process";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { encodeRequest, PROTOCOL_VERSION, ReplyDecoder, type HelperReply, type HelperRequest, type ResultMessage } from "./helper-protocol.ts";

/** scripts/build-spawn-helper.mjs puts it here; src/laminar and dist/laminar are both two levels down. */
export const SPAWN_HELPER = fileURLToPath(new URL("../../build/spawn-helper", import.meta.url));
const PROJECT_DIR = fileURLToPath(new URL("../../", import.meta.url));

/**
 * How far below the service's CPU priority the helper, and so every laminarc it starts, runs (a
 * nice increment; Linux caps the result at 19). One `laminarc queue` costs ~15 ms of CPU
 * (reference/laminarc.md): at `concurrency: 4` on a 2-core machine, laminarc at the service's own
 * priority took the CPU from the answers (p99 12 → 45 ms, issue 11). Lowered, answering always
 * wins and a backlog drains on the CPU that is left; 10 rather than 19 so that the drain still
 * gets a share (~10 %) of a core the service keeps busy.
 */
export const LAMINARC_NICENESS = 10;

/** The helper answers its handshake in about a millisecond; this only bounds a helper that never does. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** The spawn helper cannot be used: it is missing, or is not the one this laminar-hooks was built with. */
export class SpawnHelperError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SpawnHelperError";
  }
}

/** A running helper. */
export interface HelperChannel {
  /** Resolves once the helper has answered the handshake as expected; rejects with a SpawnHelperError. */
  readonly ready: Promise<void>;
  /** Sent once the handshake has passed. Throws when the message cannot be sent (the caller answers the run as not started). */
  send(message: HelperRequest): void;
  /** While runs are out, the helper keeps the service's event loop alive; idle, it must not. */
  hold(busy: boolean): void;
  /** Ends the helper, which kills every laminarc it started; resolves once it has exited. */
  close(): Promise<void>;
}

interface ChannelListeners {
  result(reply: ResultMessage): void;
  /**
   * No result can come any more; called once. `checked`: the helper had passed its handshake, so
   * it may have started laminarc; else nothing was ever started and `why` is a SpawnHelperError's
   * message.
   */
  lost(why: string, checked: boolean): void;
}

export interface HelperOptions {
  /** The helper's executable; build/spawn-helper unless a test gives another. */
  executable?: string;
  handshakeTimeoutMs?: number;
}

export function startHelper(listeners: ChannelListeners, options: HelperOptions = {}): HelperChannel {
  const executable = options.executable ?? SPAWN_HELPER;
  // Its own pid lets the helper see whether the service died before it asked to die with it.
  const child = spawn(executable, [String(LAMINARC_NICENESS), String(process.pid)], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    // A helper that could not start never exits.
    child.once("error", () => resolve());
  });
  const stdin = child.stdin!;
  const stdout = child.stdout as Socket;
  const decoder = new ReplyDecoder();
  let checked = false;
  let gone = false;
  let held = false;
  /** What was sent before the handshake passed: nothing reaches a helper that has not. */
  let waiting: Buffer[] = [];
  let passed!: () => void;
  let refused!: (error: SpawnHelperError) => void;
  const ready = new Promise<void>((resolve, reject) => {
    passed = resolve;
    refused = reject;
  });
  // Whoever sends a run learns of a refusal through `lost`; nobody need await `ready`.
  ready.catch(() => {});

  const lose = (why: string) => {
    if (gone) return;
    gone = true;
    clearTimeout(handshakeTimer);
    waiting = [];
    if (checked) {
      listeners.lost(why, true);
      return;
    }
    const error = new SpawnHelperError(`laminar-hooks cannot start laminarc: its spawn helper ${executable} ${why}`);
    refused(error);
    listeners.lost(error.message, false);
  };
  const refuse = (why: string) => {
    child.kill("SIGKILL");
    lose(`${why}. It is not the helper of this laminar-hooks (built from other sources, or on another machine): build it again with \`npm run build\` in ${PROJECT_DIR}`);
  };
  const handshakeTimer = setTimeout(() => refuse(`did not answer its handshake within ${(options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS) / 1000}s`),
    options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);

  const answered = (reply: HelperReply) => {
    if (checked) {
      if (reply.type === "result") listeners.result(reply);
      else refuse("said hello twice");
    } else if (reply.type !== "hello") {
      refuse("sent a result before answering its handshake");
    } else if (reply.version !== PROTOCOL_VERSION) {
      refuse(`speaks protocol ${reply.version}, this laminar-hooks protocol ${PROTOCOL_VERSION}`);
    } else {
      checked = true;
      clearTimeout(handshakeTimer);
      for (const frame of waiting) stdin.write(frame);
      waiting = [];
      passed();
      if (!held) stdout.unref();
    }
  };
  stdout.on("data", (chunk: Buffer) => {
    let replies: HelperReply[];
    try {
      replies = decoder.push(chunk);
    } catch (error) {
      if (checked) {
        child.kill("SIGKILL");
        lose(`sent what cannot be read (${(error as Error).message})`);
      } else {
        refuse(`answered its handshake with ${(error as Error).message}`);
      }
      return;
    }
    for (const reply of replies) {
      if (gone) return;
      answered(reply);
    }
  });
  // Writing to a helper that has just died fails with EPIPE; its exit says the rest.
  stdin.on("error", () => {});
  child.once("error", (error: NodeJS.ErrnoException) => {
    lose(error.code === "ENOENT"
      ? `is missing. It is built by \`npm ci\` (or \`npm run build\`) in ${PROJECT_DIR}, which needs a C compiler (Debian: apt-get install gcc)`
      : `cannot be run on this machine (${error.code ?? error.message}): build it again with \`npm run build\` in ${PROJECT_DIR}`);
  });
  // Its stdout closes when it dies, and may be all that still holds the event loop by then.
  // Before the handshake its exit, which says how it ended, is awaited instead (or the timeout).
  stdout.once("close", () => {
    if (checked) lose("went away");
  });
  child.once("exit", (code, signal) => {
    const how = `exited (${signal ?? `code ${code}`})`;
    if (checked) lose(how);
    else refuse(`${how} before answering its handshake`);
  });
  child.unref();
  (stdin as Socket).unref();
  // Held until the handshake has passed: `ready` must be able to settle with nothing else running.
  stdout.ref();
  stdin.write(encodeRequest({ type: "hello", version: PROTOCOL_VERSION }));
  return {
    ready,
    send(message) {
      if (gone || stdin.destroyed) throw new Error("the helper that starts laminarc is gone");
      const frame = encodeRequest(message);
      if (message.type === "run") decoder.started(message.id, message.file);
      if (checked) stdin.write(frame);
      else waiting.push(frame);
    },
    hold(busy) {
      held = busy;
      if (busy) stdout.ref();
      else if (checked) stdout.unref();
    },
    async close() {
      // Held until it has exited: closing must not let the process end with the helper still there.
      child.ref();
      stdin.end();
      await exited;
    },
  };
}
