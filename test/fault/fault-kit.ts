// Shared by the fault tests: the real service in-process with a config written whole (the fault
// tests set laminar's timeout, retry and log level themselves), its log lines recorded, a steady
// stream of signed deliveries, and a look at /proc for laminarc processes left behind.

import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { createLogger } from "../../src/observe/logger.ts";
import { startService, type Service } from "../../src/start-service.ts";
import { createFakeLaminar, FAKE_LAMINARC, type FakeLaminar } from "../fixtures/fake-laminar-dir.ts";
import type { FakeLaminard } from "../fixtures/fake-laminard.ts";
import { anotherPush, payload } from "../support/payloads.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders, keepJournalConnection } from "../support/test-service.ts";

export const SECRET = "topsecret";
export const push5 = payload("github/push-5.json");

export interface FaultService {
  service: Service;
  /** The service's own journal connection: to cap its size (a real SQLITE_FULL), or to read rows. */
  journalDatabase: Database.Database;
  url: string;
  dir: string;
  configFile: string;
  fake: FakeLaminar;
  /** Every log line so far, parsed. */
  logs: Record<string, unknown>[];
  /** The whole config file for these `laminar:` keys and this rest (forges, repositories). */
  configText(laminar: string, rest: string): string;
  /** Replaces the config file as editors do: a new file renamed over the old one. */
  replaceConfig(text: string): void;
  stop(): Promise<void>;
}

export async function startFaultService(options: { laminar: string; rest: string; fakeMode?: string; env?: NodeJS.ProcessEnv }): Promise<FaultService> {
  const dir = mkdtempSync(join(tmpdir(), "lh-fault-"));
  const configFile = join(dir, "config.yml");
  const fake = createFakeLaminar(options.fakeMode === undefined ? {} : { mode: options.fakeMode });
  const configText = (laminar: string, rest: string) => `server:
  listen: 127.0.0.1:0
laminar:
  laminarc: ${JSON.stringify(FAKE_LAMINARC)}
  host: unix-abstract:test-laminar
${laminar}
journal:
  path: ${JSON.stringify(join(dir, "journal.db"))}
log: { level: info }
${rest}`;
  writeFileSync(configFile, configText(options.laminar, options.rest));
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level: "info", destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } });
  const connection = keepJournalConnection();
  const service = await startService({ configFile, env: { ...fake.env, ...options.env }, logger, processMetrics: false, connectJournal: connection.connect });
  return {
    service,
    journalDatabase: connection.database(),
    url: service.address,
    dir,
    configFile,
    fake,
    logs,
    configText,
    replaceConfig(text) {
      const next = `${configFile}.next`;
      writeFileSync(next, text);
      renameSync(next, configFile);
    },
    async stop() {
      await service.stop(1_000);
      fake.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Sent {
  id: string;
  /** 0 when no answer came (connection refused or reset). */
  status: number;
  body: Record<string, unknown>;
  ms: number;
  at: number;
  error?: string;
}

/**
 * Sends one signed GitHub push with this delivery id; never throws. By default a push of its own
 * (push5 with a `before` made from the id): one push builds once, whatever its delivery ids.
 */
export async function sendPush(url: string, id: string, body: Buffer = anotherPush(push5, id)): Promise<Sent> {
  const at = Date.now();
  const started = performance.now();
  try {
    const response = await fetch(`${url}/hooks`, { method: "POST", body, headers: githubHeaders("push", id, githubSignature(SECRET, body)) });
    const text = await response.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { message: `not JSON: ${text.slice(0, 200)}` };
    }
    return { id, status: response.status, body: parsed, ms: performance.now() - started, at };
  } catch (error) {
    return { id, status: 0, body: {}, ms: performance.now() - started, at, error: String((error as Error).cause ?? error) };
  }
}

/** `workers` senders posting deliveries `${prefix}-W-N` back to back until stop() is called. */
export function streamDeliveries(url: () => string, prefix: string, workers = 3, pauseMs = 10) {
  const sent: Sent[] = [];
  let stopped = false;
  const running = Promise.all(Array.from({ length: workers }, async (_, worker) => {
    for (let n = 0; !stopped; n++) {
      sent.push(await sendPush(url(), `${prefix}-${worker}-${n}`));
      await sleep(pauseMs);
    }
  }));
  return {
    sent,
    async stop() {
      stopped = true;
      await running;
      return sent;
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Processes whose environment names this fake's folder: every laminarc the service started for
 * it, whether the fake recorded it yet or not (it records `ok` calls only when they end).
 */
export function fakeProcesses(fakeDir: string): number[] {
  const marker = `FAKE_LAMINAR_DIR=${fakeDir}\0`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (`${readFileSync(`/proc/${entry}/environ`, "latin1")}\0`.includes(marker)) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Successful laminarc calls per delivery id, from what the fake recorded. */
/** The runs laminard was asked to queue, per delivery (its `delivery=` parameter). */
export function queuedByLaminard(laminard: FakeLaminard): Map<string, { count: number; runs: string[] }> {
  const per = new Map<string, { count: number; runs: string[] }>();
  for (const call of laminard.queueCalls) {
    const id = call.params.find((param) => param.startsWith("delivery="))?.slice("delivery=".length) ?? "(none)";
    const entry = per.get(id) ?? { count: 0, runs: [] };
    entry.count += 1;
    entry.runs.push(`${call.name}:${call.number}`);
    per.set(id, entry);
  }
  return per;
}

export function queuedPerDelivery(fake: FakeLaminar): Map<string, { count: number; runs: string[] }> {
  const per = new Map<string, { count: number; runs: string[] }>();
  for (const call of fake.calls()) {
    if (call.exitCode !== 0) continue;
    const id = call.argv.find((arg) => arg.startsWith("delivery="))?.slice("delivery=".length) ?? "(none)";
    const entry = per.get(id) ?? { count: 0, runs: [] };
    entry.count += 1;
    entry.runs.push(call.stdout.trim());
    per.set(id, entry);
  }
  return per;
}
