// The two services under load, each started as its own process on a loopback port: laminar-hooks
// (the built bin, as users run it) and adnanh/webhook (Debian's `webhook`) with an equivalent hook.

import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("..", import.meta.url));
export const BENCH_LAMINARC = join(REPO, "bench", "fake-laminarc.sh");
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
  /** SIGTERM, and resolves when it has exited. */
  stop(): Promise<void>;
}

export interface LaminarHooksOptions {
  dir: string;
  /** laminar.concurrency */
  concurrency: number;
  /** How long the fake laminarc takes, in seconds. */
  laminarcDelay: number;
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
    env: { ...process.env, BENCH_CALLS: calls, BENCH_LAMINARC_DELAY: String(options.laminarcDelay) },
    stdio: ["ignore", "pipe", "pipe"],
  });
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
export async function startWebhook(options: { dir: string; laminarcDelay: number }): Promise<Contender> {
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
    env: { ...process.env, BENCH_CALLS: calls, BENCH_LAMINARC_DELAY: String(options.laminarcDelay) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = once(child, "exit");
  child.stderr!.resume();
  await waitForPort(port, exited);
  const startupMs = performance.now() - started;
  return { name: "adnanh/webhook", url: `http://127.0.0.1:${port}/hooks/bench`, pid: child.pid!, startupMs, calls, stop: () => stopChild(child, exited) };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
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
