// The service as its own process (`laminar-hooks serve`), for what only a real process shows:
// SIGKILL, SIGTERM, restarts on the same journal, orphaned children.

import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
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
export class ChildServices {
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
