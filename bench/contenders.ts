// The two services under load, each started as its own process on a loopback port: laminar-hooks
// (the built bin, as users run it) and adnanh/webhook (Debian's `webhook`) with an equivalent hook,
// both running the same fake laminarc (bench/fake-laminarc.c), which costs what the real one costs.
//
// Each runs in a session of its own, as a service does under systemd: where the kernel shares the
// CPU out by session first (sched_autogroup), neither contender, with its laminarc calls, then
// shares a group with the load generator, and they are measured alike.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("..", import.meta.url));
/** Built from bench/fake-laminarc.c by buildBenchLaminarc(); its name is what the memory sampler leaves out. */
export const BENCH_LAMINARC = join(REPO, "build", "bench-laminarc");
const HOOKS_TEMPLATE = join(REPO, "bench", "hooks.json.template");
export const SECRET = "topsecret";

export interface Contender {
  name: string;
  url: string;
  pid: number;
  /** From spawn to the first moment it accepts deliveries, in ms. */
  startupMs: number;
  /** The file its laminarc (or command) appends one line per call to. */
  calls: string;
  /** SIGTERM, and resolves when it has exited; then nothing it started is left running. */
  stop(): Promise<void>;
}

/** What each fake laminarc call costs: CPU spun (the real one's ~15 ms), then an optional sleep. */
export interface LaminarcCost {
  cpuMs: number;
  sleepMs: number;
}

export interface LaminarHooksOptions {
  dir: string;
  /** laminar.concurrency */
  concurrency: number;
  laminarc: LaminarcCost;
  /** Extra node flags for the service (`--cpu-prof`, …). */
  nodeFlags?: readonly string[];
  /** The checkout whose bin/laminar-hooks.js runs (default: this one), to compare two versions. */
  checkout?: string;
}

/**
 * The node flags `npm start` (and the systemd unit) give the service, read from package.json so
 * that the bench runs what users run.
 */
export function serviceStartFlags(): string[] {
  const start = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
  const flags = /^node((?: --\S+)*) bin\/laminar-hooks\.js /.exec(start)?.[1] ?? "";
  return flags.split(" ").filter(Boolean);
}

/** `node bin/laminar-hooks.js serve`: a journal in `dir`, the fake laminarc, one GitHub repository. */
export async function startLaminarHooks(options: LaminarHooksOptions): Promise<Contender> {
  const config = join(options.dir, "config.yml");
  const calls = join(options.dir, "calls");
  writeFileSync(calls, "");
  writeFileSync(config, `server: { listen: "127.0.0.1:0", path: /hooks }
laminar:
  laminarc: ${JSON.stringify(BENCH_LAMINARC)}
  host: unix-abstract:bench
  concurrency: ${options.concurrency}
  timeout: 30s
  retry: { attempts: 10, delay: 1s, max_delay: 10s }
journal: { path: ${JSON.stringify(join(options.dir, "journal.db"))} }
log: { level: info }
forges:
  github: { secret: ${SECRET} }
repositories:
  - repo: Codertocat/Hello-World
    jobs: [{ job: hello, events: [push], branches: [master] }]
`);
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), join(options.checkout ?? REPO, "bin", "laminar-hooks.js"), "serve", "--config", config], {
    cwd: options.dir,
    env: laminarcEnvironment(calls, options.laminarc),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  live.add(child.pid!);
  const exited = once(child, "exit");
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  // Its log goes on being read (and dropped) so that a full pipe never blocks the service.
  const address = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (!line.includes('"listening"')) return;
      try {
        resolve(String((JSON.parse(line) as { address: string }).address));
      } catch (error) {
        reject(error);
      }
    });
    void exited.then(() => reject(new Error(`laminar-hooks exited before listening: ${stderr}`)));
  });
  const startupMs = performance.now() - started;
  return { name: "laminar-hooks", url: `${address}/hooks`, pid: child.pid!, startupMs, calls, stop: () => stopChild(child, exited) };
}

/** `webhook -hooks hooks.json`: the same fake laminarc as its command, the same secret. */
export async function startWebhook(options: { dir: string; laminarc: LaminarcCost }): Promise<Contender> {
  const hooks = join(options.dir, "hooks.json");
  const calls = join(options.dir, "calls");
  writeFileSync(calls, "");
  const json = (text: string) => JSON.stringify(text).slice(1, -1);
  writeFileSync(hooks, readFileSync(HOOKS_TEMPLATE, "utf8")
    .replaceAll("{{COMMAND}}", json(BENCH_LAMINARC))
    .replaceAll("{{DIR}}", json(options.dir))
    .replaceAll("{{SECRET}}", json(SECRET)));
  const port = await freePort();
  const started = performance.now();
  const child = spawn("webhook", ["-hooks", hooks, "-ip", "127.0.0.1", "-port", String(port)], {
    cwd: options.dir,
    env: laminarcEnvironment(calls, options.laminarc),
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  live.add(child.pid!);
  const exited = once(child, "exit");
  child.stderr!.resume();
  await waitForPort(port, exited);
  const startupMs = performance.now() - started;
  return { name: "adnanh/webhook", url: `http://127.0.0.1:${port}/hooks/bench`, pid: child.pid!, startupMs, calls, stop: () => stopChild(child, exited) };
}

/** The environment both contenders give the fake laminarc. */
export function laminarcEnvironment(calls: string, cost: LaminarcCost): NodeJS.ProcessEnv {
  return { ...process.env, BENCH_CALLS: calls, BENCH_LAMINARC_CPU_MS: String(cost.cpuMs), BENCH_LAMINARC_SLEEP_MS: String(cost.sleepMs) };
}

/** Compiles bench/fake-laminarc.c into BENCH_LAMINARC; the bench cannot run without it. */
export function buildBenchLaminarc(): void {
  mkdirSync(join(REPO, "build"), { recursive: true });
  const compiler = process.env.CC || "cc";
  const built = spawnSync(compiler, ["-O2", "-Wall", "-Wextra", "-std=c11", "-o", BENCH_LAMINARC, join(REPO, "bench", "fake-laminarc.c")], { stdio: "inherit" });
  if (built.error !== undefined || built.status !== 0) {
    throw new Error(`could not build the bench's fake laminarc with ${compiler} (install gcc: apt-get install gcc)`);
  }
}

/** Process groups of the contenders still running, ended if the bench itself stops early. */
const live = new Set<number>();
process.once("exit", () => live.forEach(killGroup));
process.once("SIGINT", () => process.exit(130));

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
  // webhook leaves the commands it started running when it exits; spinning on the CPU, they would
  // slow the next contender down. They are in its process group (the session it leads).
  killGroup(child.pid!);
  live.delete(child.pid!);
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Nothing left in it.
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, "close");
  return port;
}

async function waitForPort(port: number, exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error("webhook exited before listening");
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
