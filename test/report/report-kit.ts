// What the commit status tests share: a config parsed from YAML as `serve` would load it, and a
// real SQLite journal in a temp folder holding a delivery with its dispatches.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config/load-config.ts";
import type { Journal } from "../../src/journal/journal.ts";
import type { DeliveryInput } from "../../src/journal/journal-types.ts";
import Database from "better-sqlite3";
import { openJournal } from "../../src/journal/open-journal.ts";
import type { RunStateChange, RunStateListener } from "../../src/journal/run-state.ts";
import type { Config, ForgeName } from "../../src/types.ts";
import { startFakeGiteaApi, type FakeGiteaApi } from "../fixtures/fake-gitea-api.ts";

export type Context = { after: (fn: () => void | Promise<void>) => void };

export const SHA = "3f2c1a9d4e5b6c7d8e9f00112233445566778899";

/** A config with forges' tokens in the environment, as `{ env }` secrets. */
export function configFrom(yaml: string, env: Record<string, string> = {}): Config {
  return parseConfig(yaml, "/etc/laminar-hooks/config.yml", { env, readFile: () => "", baseDir: "/etc/laminar-hooks" });
}

/** One forge with a token for its API, and one repository with a job `wiki`. */
export function forgeConfig(forge: ForgeName, api: string, extra = ""): string {
  return `
laminar:
  base_url: https://ci.example.com
forges:
  ${forge}:
    secret: s3cret
    token: { env: FORGE_TOKEN }
    api: ${api}
repositories:
  - repo: sbrl/wiki
    forge: ${forge}
${extra}    jobs:
      - job: wiki
`;
}

/** A journal in a temp folder, closed and removed after the test. */
export function tempJournal(t: Context): { path: string; open: () => TestJournal } {
  const dir = mkdtempSync(join(tmpdir(), "report-test-"));
  const opened: Journal[] = [];
  t.after(async () => {
    for (const journal of opened) await journal.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const path = join(dir, "journal.db");
  return {
    path,
    open: () => {
      // The test keeps the connection it gives the journal: its transactions stand for the
      // follower's and the dispatcher's, inside which the listener is told of a change.
      let database: Database.Database | undefined;
      const journal = Object.assign(openJournal(path, { connect: (file) => (database = new Database(file)) }), {
        get database(): Database.Database {
          return database!;
        },
      });
      opened.push(journal);
      return journal;
    },
  };
}

let count = 0;
/** Journals a delivery of `forge` for sbrl/wiki with one dispatch of job `wiki`; returns its ids. */
export async function journalDelivery(journal: Journal, forge: ForgeName, params: Record<string, string> = {}): Promise<{ deliveryId: number; dispatchId: number }> {
  count += 1;
  const input: DeliveryInput = {
    forge,
    deliveryId: `delivery-${count}`,
    receivedAt: Date.now(),
    forgeEvent: "push",
    kind: "push",
    repo: "sbrl/wiki",
    ref: "refs/heads/master",
    sender: "sbrl",
    headers: {},
    payload: "{}",
    trace: [{ job: "wiki", matched: true, reason: "push to master" }],
    jobs: [{ job: "wiki", params: { rev: SHA, ref: "refs/heads/master", branch: "master", repo: "sbrl/wiki", ...params }, host: "", reason: "test" }],
  };
  const result = await journal.commitDelivery(input);
  const dispatchId = result.dispatchIds[0];
  if (dispatchId === undefined) throw new Error("no dispatch was journaled");
  return { deliveryId: result.id, dispatchId };
}

/** A journal whose SQLite connection the test holds too. */
export type TestJournal = Journal & { readonly database: Database.Database };

/** Tells the listener of a change inside a real transaction, as the dispatcher and the follower do. */
export function recordChange(journal: TestJournal, listener: RunStateListener, change: Omit<RunStateChange, "at" | "job"> & { job?: string }): void {
  journal.database.transaction(() => {
    // The follower's own write of the change would be here; the listener's insert commits with it.
    journal.database.prepare("UPDATE dispatches SET updated_at = ? WHERE id = ?").run(Date.now(), change.dispatchId);
    listener({ job: "wiki", at: Date.now(), ...change });
  }).immediate();
}

/** An API root where nothing listens: a port that was free a moment ago. */
export async function closedPort(): Promise<string> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  return `http://127.0.0.1:${port}`;
}

/** Collects the poster's onPost events; a test waits for the one it needs instead of sleeping. */
export function postEvents<E>(): { events: E[]; onPost: (event: E) => void; waitFor: (check: (event: E) => boolean, what: string) => Promise<E> } {
  const events: E[] = [];
  const waiting: { check: (event: E) => boolean; resolve: (event: E) => void }[] = [];
  return {
    events,
    onPost(event) {
      events.push(event);
      for (const waiter of waiting.splice(0)) {
        if (waiter.check(event)) waiter.resolve(event);
        else waiting.push(waiter);
      }
    },
    waitFor(check, what) {
      const found = events.find(check);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 60_000);
        waiting.push({ check, resolve: (event) => { clearTimeout(timer); resolve(event); } });
      });
    },
  };
}

/**
 * For the CLI's tests: a fake Gitea taking `token`, a config file that points at it and at a temp
 * journal (for `--config`), the same config parsed, and the journal opened.
 */
export async function giteaWithJournal(t: Context, token: string): Promise<{ api: FakeGiteaApi; configFile: string; config: Config; journal: TestJournal }> {
  const api = await startFakeGiteaApi({ token });
  t.after(() => api.close());
  const journalFile = tempJournal(t);
  const yaml = `${forgeConfig("gitea", api.url)}journal:\n  path: ${journalFile.path}\n`;
  const configFile = join(journalFile.path, "..", "config.yml");
  writeFileSync(configFile, yaml);
  return { api, configFile, config: configFrom(yaml, { FORGE_TOKEN: token }), journal: journalFile.open() };
}
