// The load generator: wrk (Debian's, written in C) with bench/github-push.lua. On a 2-core
// machine the generator shares the CPU with the service under test; wrk needs a fraction of what
// a Node generator (autocannon) would, so more of the machine goes to the contenders.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./contenders.ts";

export interface LoadResult {
  /** Answers received (any status). */
  requests: number;
  durationMs: number;
  /** 2xx answers. */
  acked: number;
  non2xx: number;
  /** Connection, read, write errors and timeouts together. */
  socketErrors: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** performance.now() when wrk finished. */
  endedAt: number;
}

export interface LoadOptions {
  url: string;
  /** The push each request sends with a head commit of its own (bench/github-push.lua). */
  bodyFile: string;
  /** The webhook secret each request's body is signed with. */
  secret: string;
  connections: number;
  /**
   * wrk's threads (`-t`), each with `connections / threads` connections (wrk rounds down) and a
   * share of the machine's CPU that the service under test then does not get; at most `connections`.
   */
  threads: number;
  /** How long, in seconds; with `limit`, an upper bound. */
  seconds: number;
  /**
   * Names the run, in its delivery ids and its pushes' head shas: unique per run, so that no
   * request is a copy of another run's push (a warm-up and its run go to the same service).
   */
  runId: string;
  /** Stop after about this many answers (each thread stops at its share). */
  limit?: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (!Number.isInteger(options.threads) || options.threads < 1 || options.threads > options.connections) {
    throw new Error(`wrk needs 1 to ${options.connections} threads at ${options.connections} connections (a connection a thread at least), not ${options.threads}`);
  }
  const args = [
    `-t${options.threads}`, `-c${options.connections}`, `-d${options.seconds}s`, "--timeout", "10s",
    "-s", join(REPO, "bench", "github-push.lua"), options.url,
  ];
  const markerDir = mkdtempSync(join(tmpdir(), "lh-bench-wrk-"));
  const doneFile = join(markerDir, "done");
  const wrk = spawn("wrk", args, {
    env: {
      ...process.env,
      BENCH_BODY: options.bodyFile,
      BENCH_SECRET: options.secret,
      BENCH_RUN: options.runId,
      // github-push.lua counts answers per thread: the first thread to reach its share stops them all.
      ...(options.limit === undefined ? {} : { BENCH_LIMIT: String(Math.ceil(options.limit / options.threads)), BENCH_DONE_FILE: doneFile }),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  wrk.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  const exited = once(wrk, "exit");
  // With a limit, wrk stops sending at it but would wait out -d: SIGINT makes it report at once.
  const watcher = options.limit === undefined ? undefined : setInterval(() => {
    if (existsSync(doneFile)) wrk.kill("SIGINT");
  }, 20);
  await exited;
  clearInterval(watcher);
  rmSync(markerDir, { recursive: true, force: true });
  const endedAt = performance.now();
  const line = stdout.split("\n").find((text) => text.startsWith("{"));
  if (line === undefined) throw new Error(`wrk printed no result:\n${stdout}`);
  const r = JSON.parse(line) as Record<string, number>;
  const n = (key: string) => r[key] ?? 0;
  return {
    requests: n("requests"),
    durationMs: n("durationUs") / 1000,
    acked: n("acked"),
    non2xx: n("requests") - n("acked"),
    socketErrors: n("connectErrors") + n("readErrors") + n("writeErrors") + n("timeouts"),
    p50Ms: n("p50Us") / 1000,
    p90Ms: n("p90Us") / 1000,
    p99Ms: n("p99Us") / 1000,
    maxMs: n("maxUs") / 1000,
    endedAt,
  };
}
