// The service as its own process (`laminar-hooks serve`), for what only a real process shows:
// SIGKILL, SIGTERM, restarts on the same journal, orphaned children.

import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createFakeLaminar, FAKE_LAMINARC, type FakeLaminar } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";
import { spawnBuiltCli, spawnCli } from "./run-cli.ts";

export interface ChildService {
  child: ChildProcess;
  url: string;
  /** Every log line so far, parsed. */
  logs: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `serve --config FILE` and resolves once it logs that it listens: from the sources, or
 * `built` as installed (bin/laminar-hooks.js on dist/, which `npm run build` makes).
 */
export async function startChildService(configFile: string, env: NodeJS.ProcessEnv, options: { built?: boolean } = {}): Promise<ChildService> {
  const args = ["serve", "--config", configFile];
  const child = options.built === true ? spawnBuiltCli(args, env) : spawnCli(args, env);
  const logs: Record<string, unknown>[] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === "listening") resolve(String(entry.address));
      } catch {
        logs.push({ raw: line });
      }
    });
    exited.then(({ code }) => reject(new Error(`serve exited with ${code} before listening: ${stderr}`)));
  });
  return { child, url, logs, exited };
}

/**
 * The services one test starts, and starts again on the same journal after killing one: whatever
 * still runs at the end is SIGKILLed and awaited by killAll, which the test's cleanup calls before
 * it closes the fakes those services talk to.
 */
class ChildServices {
  readonly #started: ChildService[] = [];

  async start(configFile: string, env: NodeJS.ProcessEnv): Promise<ChildService> {
    const service = await startChildService(configFile, env);
    this.#started.push(service);
    return service;
  }

  async killAll(): Promise<void> {
    for (const { child } of this.#started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await Promise.all(this.#started.map((service) => service.exited));
  }
}

/** A service run as a process on files of its own: its config, its journal, a fake laminard and laminarc. */
export interface ServiceOnDisk {
  laminard: FakeLaminard;
  fake: FakeLaminar;
  journalPath: string;
  /** Starts `serve` on the config (again, after a kill: the same journal). */
  start: () => Promise<ChildService>;
}

export interface ServiceOnDiskOptions {
  /** The temp folder's name starts with it. */
  prefix: string;
  /** The fake laminarc's mode (fake-laminar-dir.ts). */
  mode?: string;
  /** Lines under `laminar:` besides laminarc and http, e.g. "timeout: 60s". */
  laminar?: readonly string[];
  /** The config's forges and repositories. */
  rest: string;
  /** More environment for the service (a token's variable). */
  env?: NodeJS.ProcessEnv;
  /** Run once the services are gone, before the fakes close (kill what they left hanging). */
  afterKill?: (fake: FakeLaminar) => void;
}

/**
 * Sets one up and registers its cleanup: every service started is SIGKILLed and awaited, then the
 * fakes close and the folder goes. The cleanup is registered first, so it runs before the test's own.
 */
export async function serviceOnDisk(t: { after: (fn: () => Promise<void>) => void }, options: ServiceOnDiskOptions): Promise<ServiceOnDisk> {
  const dir = mkdtempSync(join(tmpdir(), options.prefix));
  const laminard = await FakeLaminard.start({ keepAliveMs: 100 });
  const fake = createFakeLaminar(options.mode === undefined ? {} : { mode: options.mode });
  const services = new ChildServices();
  t.after(async () => {
    await services.killAll();
    options.afterKill?.(fake);
    await laminard.close();
    fake.remove();
    rmSync(dir, { recursive: true, force: true });
  });
  const journalPath = join(dir, "journal.db");
  const configFile = join(dir, "config.yml");
  const laminar = [`laminarc: ${JSON.stringify(FAKE_LAMINARC)}`, `http: ${laminard.url}`, ...(options.laminar ?? [])];
  writeFileSync(configFile, `server: { listen: "127.0.0.1:0" }
laminar:
${laminar.map((line) => `  ${line}`).join("\n")}
journal: { path: ${JSON.stringify(journalPath)} }
log: { level: info }
${options.rest.trim()}
`);
  const env = { ...fake.env, FAKE_LAMINARD: laminard.controlUrl, ...options.env };
  return { laminard, fake, journalPath, start: () => services.start(configFile, env) };
}
