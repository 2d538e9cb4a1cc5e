// The service as users run it: `node bin/laminar-hooks.js serve` (the build in dist/ and the native
// spawn helper in build/), on a fixed port so that a forge redelivering after a crash finds it
// again, SIGKILLed and started again on the same journal; and what /proc says about its children.

import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin/laminar-hooks.js");

/**
 * The build must be the code under test: a dist/ older than src/ would test yesterday's service
 * (and a spawn helper older than its C sources, yesterday's helper).
 */
export function assertBuildIsFresh(): void {
  const newest = (dir: string, pattern: RegExp): { file: string; mtime: number } => {
    let found = { file: "", mtime: 0 };
    for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
      if (!pattern.test(entry)) continue;
      const mtime = statSync(join(dir, entry)).mtimeMs;
      if (mtime > found.mtime) found = { file: join(dir, entry), mtime };
    }
    return found;
  };
  const built = (file: string) => {
    try {
      return statSync(join(ROOT, file)).mtimeMs;
    } catch {
      return 0;
    }
  };
  const sources = newest(join(ROOT, "src"), /\.ts$/);
  if (built("dist/cli/main.js") < sources.mtime) throw new Error(`dist/ is older than ${sources.file}: run \`npm run build\` before the chaos test`);
  const helper = newest(join(ROOT, "src/laminar"), /\.[ch]$/);
  if (built("build/spawn-helper") < helper.mtime) throw new Error(`build/spawn-helper is older than ${helper.file}: run \`npm run build\` before the chaos test`);
}

/** A loopback port free now, for the service to listen on across its restarts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

export class ServiceProcess {
  /** Every log line of every start, parsed. */
  readonly logs: Record<string, unknown>[] = [];
  /** The pids it ran under, one per start. */
  readonly pids: number[] = [];
  #child: ChildProcess | undefined;
  #exited: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly configFile: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.#child?.pid : undefined;
  }

  /** Starts `serve` and resolves once it logs that it listens. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, ["--max-semi-space-size=4", BIN, "serve", "--config", this.configFile], { env: this.env, stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    this.pids.push(child.pid ?? 0);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exited = once(child, "exit");
    this.#exited = exited;
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          entry = { msg: line };
        }
        // Which start of the service said it, and when (pino's time is an ISO string, or absent).
        this.logs.push({ ...entry, pid: child.pid, time: typeof entry.time === "string" ? Date.parse(entry.time) : Date.now() });
        if (entry.msg === "listening") resolve();
      });
      void exited.then(([code, signal]) => reject(new Error(`serve exited (${String(code ?? signal)}) before listening: ${stderr}`)));
    });
  }

  /** SIGKILL: no cleanup of any kind, as the OOM killer does it. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.#child?.kill("SIGKILL");
    await this.#exited;
  }

  /** SIGTERM, as systemd stops it; resolves with how it ended, or "hung" after `boundMs`. */
  async stop(boundMs: number): Promise<string> {
    if (!this.running) return "not running";
    const child = this.#child!;
    child.kill("SIGTERM");
    const ended = await Promise.race([
      this.#exited.then(() => `exit ${String(child.exitCode ?? child.signalCode)}`),
      new Promise<string>((resolve) => setTimeout(() => resolve("hung"), boundMs).unref()),
    ]);
    if (ended === "hung") await this.kill();
    return ended;
  }
}

/** The direct children of a process, from /proc. */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command (which may hold spaces and parentheses): state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** A process's command line, for a readable report. */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ").slice(0, 200);
  } catch {
    return "(gone)";
  }
}
