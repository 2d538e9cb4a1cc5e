// The Node helper behind LaminarcHelper (laminarc-helper.ts), used where the native one
// (spawn-helper.c) could not be built: a small, long-lived Node process that starts laminarc for
// the service. Starting a child blocks the parent's event loop until the child has exec'd (libuv
// forks, then waits): 3.5-7 ms a spawn on a small virtual machine, taken from every HTTP answer
// when the service does it. Here it costs the service nothing.
//
// Plain Node without dependencies, so it starts in tens of milliseconds and stays small. When the
// service goes (even killed by SIGKILL), the IPC channel closes and every laminarc still running
// is killed: no orphans (DESIGN.md, guarantee 4).

import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { notStarted, outputText, type HelperRequest, type ResultMessage, type RunMessage } from "./helper-protocol.ts";

type KillReason = "timeout" | "cancel" | "output";

const running = new Map<number, { child: ChildProcess; kill: (reason: KillReason) => void }>();
const environments = new Map<number, Record<string, string>>();

// Lowered before any laminarc is started, so that each inherits it: laminarc costs ~15 ms of CPU a
// call, and the service's answers must win it (helper-channel.ts, LAMINARC_NICENESS).
const niceness = Math.min(19, getPriority() + Number(process.argv[2] ?? 0));
setPriority(niceness);

process.on("message", (message: HelperRequest) => {
  if (message.type === "env") environments.set(message.key, message.env);
  else if (message.type === "run") run(message);
  else running.get(message.id)?.kill("cancel");
});

// Ctrl-C at a terminal sends SIGINT to the whole foreground process group; the service then stops
// gracefully and lets laminarc calls in flight finish. So this helper stays, and each laminarc runs
// in a session of its own (`detached`), out of the terminal's reach.
process.on("SIGINT", () => {});

process.on("disconnect", () => {
  for (const { child } of running.values()) child.kill("SIGKILL");
  process.exit(0);
});

function run(message: RunMessage): void {
  const started = performance.now();
  let finished = false;
  const finish = (fields: Omit<ResultMessage, "type" | "id" | "durationMs">) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    running.delete(message.id);
    const result: ResultMessage = { type: "result", id: message.id, durationMs: Math.round(performance.now() - started), ...fields };
    process.send?.(result);
  };
  const failed = (error: NodeJS.ErrnoException) => notStarted(performance.now() - started, {
    canceled: false,
    spawnError: typeof error.code === "string" ? { code: error.code, message: error.message } : { message: error.message },
  });

  let timer: NodeJS.Timeout | undefined;
  let child: ChildProcess;
  try {
    const env = { ...environments.get(message.envKey), ...message.setEnv };
    child = spawn(message.file, message.args, { env, stdio: ["ignore", "pipe", "pipe"], windowsHide: true, detached: true });
  } catch (error) {
    // EACCES, E2BIG and the like are thrown at once rather than emitted.
    finish(failed(error as NodeJS.ErrnoException));
    return;
  }

  let killedFor: KillReason | undefined;
  const kill = (reason: KillReason) => {
    killedFor ??= reason;
    // laminarc holds nothing worth cleaning up, and a SIGSTOPped one would ignore SIGTERM.
    child.kill("SIGKILL");
  };
  running.set(message.id, { child, kill });
  // `detached` gives laminarc a session of its own, and where the kernel shares the CPU out by
  // session (sched_autogroup) a group of its own too, whose weight its nice value does not touch:
  // that group gets the same nice. (The native helper keeps laminarc in the service's session.)
  try {
    writeFileSync(`/proc/${child.pid}/autogroup`, String(niceness));
  } catch {
    // No autogroups in this kernel, or laminarc has already gone.
  }
  timer = setTimeout(() => kill("timeout"), message.timeoutMs);

  const output = { stdout: [] as Buffer[], stderr: [] as Buffer[], bytes: 0 };
  const collect = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
    const room = message.maxOutputBytes - output.bytes;
    if (room <= 0) return;
    output[stream].push(chunk.length <= room ? chunk : chunk.subarray(0, room));
    output.bytes += Math.min(chunk.length, room);
    // More than laminarc ever prints: not laminarc talking; stop it rather than keep reading.
    if (chunk.length > room) kill("output");
  };
  child.stdout!.on("data", collect("stdout"));
  child.stderr!.on("data", collect("stderr"));
  child.on("error", (error: NodeJS.ErrnoException) => {
    if (child.pid === undefined) finish(failed(error));
  });
  child.on("close", (code, signal) => {
    finish({
      exitCode: code,
      signal,
      stdout: outputText(Buffer.concat(output.stdout)),
      stderr: outputText(Buffer.concat(output.stderr)),
      timedOut: killedFor === "timeout",
      canceled: killedFor === "cancel",
    });
  });
}
