// The two helpers that start laminarc for the service, behind one small interface: the native
// spawn-helper.c (built by `npm ci` where there is a C compiler) and the Node spawn-helper.ts.
// LaminarcHelper speaks to either the same way.

import { fork, spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import type { HelperRequest, ResultMessage } from "./helper-protocol.ts";
import { encodeRequest, ResultDecoder } from "./native-helper-protocol.ts";

export type HelperKind = "native" | "node";

/** A running helper. */
export interface HelperChannel {
  readonly kind: HelperKind;
  /** Throws when the message cannot be sent (the caller answers the run as not started). */
  send(message: HelperRequest): void;
  /** While runs are out, the helper keeps the service's event loop alive; idle, it must not. */
  hold(busy: boolean): void;
  /** Ends the helper, which kills every laminarc it started; resolves once it has exited. */
  close(): Promise<void>;
}

export interface ChannelListeners {
  result(reply: ResultMessage): void;
  /** No result can come any more (the helper exited, or could not start); called once. */
  lost(why: string): void;
}

/** Built (dist/laminar/…js) or run from the sources by tsx (src/laminar/…ts): the Node helper is beside this file. */
const FROM_SOURCES = import.meta.url.endsWith(".ts");
const NODE_HELPER = new URL(`./spawn-helper.${FROM_SOURCES ? "ts" : "js"}`, import.meta.url);
/** scripts/build-spawn-helper.mjs puts it here; src/laminar and dist/laminar are both two levels down. */
export const NATIVE_HELPER = fileURLToPath(new URL("../../build/spawn-helper", import.meta.url));

/**
 * How far below the service's CPU priority the helper, and so every laminarc it starts, runs (a
 * nice increment; Linux caps the result at 19). One `laminarc queue` costs ~15 ms of CPU
 * (reference/laminarc.md): at `concurrency: 4` on a 2-core machine, laminarc at the service's own
 * priority took the CPU from the answers (p99 12 → 45 ms, issue 11). Lowered, answering always
 * wins and a backlog drains on the CPU that is left; 10 rather than 19 so that the drain still
 * gets a share (~10 %) of a core the service keeps busy.
 */
export const LAMINARC_NICENESS = 10;

/**
 * The Node helper needs little memory: a small young generation keeps its resident size (and so
 * the cost of each fork it makes) down.
 */
const NODE_HELPER_FLAGS = ["--max-semi-space-size=1", "--max-old-space-size=32"];

/** The native helper when it was built and can be run, else the Node one. */
export function availableHelperKind(): HelperKind {
  try {
    accessSync(NATIVE_HELPER, constants.X_OK);
    return "native";
  } catch {
    return "node";
  }
}

export function startHelper(kind: HelperKind, listeners: ChannelListeners): HelperChannel {
  return kind === "native" ? startNativeHelper(listeners) : startNodeHelper(listeners);
}

function startNativeHelper(listeners: ChannelListeners): HelperChannel {
  const child = spawn(NATIVE_HELPER, [String(LAMINARC_NICENESS)], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    // A helper that could not start never exits.
    child.once("error", () => resolve());
  });
  const stdin = child.stdin!;
  const stdout = child.stdout!;
  const decoder = new ResultDecoder();
  let gone = false;
  const lose = (why: string) => {
    if (gone) return;
    gone = true;
    listeners.lost(why);
  };
  stdout.on("data", (chunk: Buffer) => {
    let results: ResultMessage[];
    try {
      results = decoder.push(chunk);
    } catch (error) {
      child.kill("SIGKILL");
      lose(`sent what cannot be read (${(error as Error).message})`);
      return;
    }
    for (const reply of results) listeners.result(reply);
  });
  // Writing to a helper that has just died fails with EPIPE; its exit says the rest.
  stdin.on("error", () => {});
  child.once("error", (error) => lose(`could not be started (${error.message})`));
  // Its stdout closes when it dies, and may be all that still holds the event loop by then.
  stdout.once("close", () => lose("went away"));
  child.once("exit", (code, signal) => lose(`exited (${signal ?? `code ${code}`})`));
  child.unref();
  (stdin as Socket).unref();
  (stdout as Socket).unref();
  return {
    kind: "native",
    send(message) {
      if (gone || stdin.destroyed) throw new Error("the helper that starts laminarc is gone");
      if (message.type === "run") decoder.started(message.id, message.file);
      stdin.write(encodeRequest(message));
    },
    hold(busy) {
      if (busy) (stdout as Socket).ref();
      else (stdout as Socket).unref();
    },
    async close() {
      // Held until it has exited: closing must not let the process end with the helper still there.
      child.ref();
      stdin.end();
      await exited;
    },
  };
}

function startNodeHelper(listeners: ChannelListeners): HelperChannel {
  const child: ChildProcess = fork(NODE_HELPER, [String(LAMINARC_NICENESS)], {
    execArgv: [...NODE_HELPER_FLAGS, ...(FROM_SOURCES ? loaderFlags(process.execArgv) : [])],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    serialization: "json",
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let gone = false;
  const lose = (why: string) => {
    if (gone) return;
    gone = true;
    listeners.lost(why);
  };
  child.on("message", (reply: ResultMessage) => listeners.result(reply));
  child.on("error", () => {
    // Reported through `exit` (or a failed send); nothing else to do here.
  });
  // Once the channel is gone no result can come back (and the helper kills what it started).
  child.once("disconnect", () => lose("went away"));
  child.once("exit", (code, signal) => lose(`exited (${signal ?? `code ${code}`})`));
  child.unref();
  child.channel?.unref();
  return {
    kind: "node",
    send(message) {
      if (gone || !child.connected) throw new Error("the helper that starts laminarc is gone");
      child.send(message);
    },
    hold(busy) {
      if (busy) child.channel?.ref();
      else child.channel?.unref();
    },
    async close() {
      child.ref();
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}

/** The flags that let Node load TypeScript (tsx in the tests), from the service's own. */
function loaderFlags(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i] ?? "";
    if (/^--(import|require|loader|experimental-loader)$/.test(flag) && i + 1 < execArgv.length) kept.push(flag, execArgv[++i] ?? "");
    else if (/^--(import|require|loader|experimental-loader)=/.test(flag)) kept.push(flag);
  }
  return kept;
}
