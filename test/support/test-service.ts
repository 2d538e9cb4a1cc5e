// Starts the real service in-process on a free port, with a journal in a temp folder and the fake
// laminarc, so each test talks HTTP to exactly what `serve` runs.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { silentLogger, type Logger } from "../../src/observe/logger.ts";
import { startService, type Service, type ServiceOptions } from "../../src/start-service.ts";
import { createFakeLaminar, FAKE_LAMINARC, type FakeLaminar } from "../fixtures/fake-laminar-dir.ts";

/** The config most tests need: GitHub's secret `topsecret` and one push job for push-5.json's repository. */
export const HELLO_WORLD_CONFIG = `
forges:
  github: { secret: topsecret }
repositories:
  - repo: Codertocat/Hello-World
    jobs: [{ job: hello, events: [push] }]
`;

export interface TestService {
  service: Service;
  /** The service's own journal connection: to cap its size (a real SQLITE_FULL), or to read rows. */
  journalDatabase: Database.Database;
  url: string;
  dir: string;
  configFile: string;
  fake: FakeLaminar;
  /** Rewrites the config file (same header, new body) without reloading. */
  writeConfig(body: string): void;
  /** The whole text writeConfig would write. */
  configText(body: string): string;
  post(path: string, body: string | Buffer, headers: Record<string, string>): Promise<Answer>;
  stop(): Promise<void>;
}

export interface Answer {
  status: number;
  body: Record<string, unknown> & { message: string };
}

export interface TestServiceOptions {
  /** YAML for `forges:` and `repositories:` (and anything else not in the header). */
  config: string;
  /** Extra `laminar:` keys, indented by four spaces. */
  laminar?: string;
  /** Extra `server:` keys, indented by two spaces. */
  server?: string;
  /** `server.listen`; 127.0.0.1:0 by default. `{dir}` is replaced by the service's temp folder. */
  listen?: string;
  env?: NodeJS.ProcessEnv;
  fakeMode?: string;
  /** Default: silent. */
  logger?: Logger;
  /** Following runs' timings (startService's `follow`). */
  follow?: ServiceOptions["follow"];
  /** Catch-up's interval, below the config's 30 s minimum (startService's `catchUpIntervalMs`). */
  catchUpIntervalMs?: number;
  /** false: the config file is not watched; the test calls service.reload() when it wants. */
  watchConfig?: boolean;
}

/**
 * Long enough for the fake laminarc (a Node process, niced below the test files as laminarc is below
 * the service) to start on a busy machine: without laminar.http, a call killed at its timeout after
 * it queued is queued again by the retry, as a real one would be, and a test counting builds would
 * see two (with it, laminard is asked first: test/laminar/find-queued.test.ts).
 */
const LAMINARC_TIMEOUT = "  timeout: 20s\n";

export function configHeader(dir: string, options: Pick<TestServiceOptions, "laminar" | "server" | "listen">): string {
  return `server:
  listen: ${JSON.stringify(options.listen ?? "127.0.0.1:0")}
${options.server ?? ""}
laminar:
  laminarc: ${JSON.stringify(FAKE_LAMINARC)}
  host: unix-abstract:test-laminar
${options.laminar?.includes("timeout:") ? "" : LAMINARC_TIMEOUT}${options.laminar?.includes("retry:") ? "" : "  retry: { attempts: 5, delay: 50ms, max_delay: 200ms }\n"}${options.laminar ?? ""}
journal:
  path: ${JSON.stringify(join(dir, "journal.db"))}
log: { level: silent }
`;
}

export async function startTestService(options: TestServiceOptions): Promise<TestService> {
  const dir = mkdtempSync(join(tmpdir(), "lh-service-"));
  const configFile = join(dir, "config.yml");
  const fake = createFakeLaminar(options.fakeMode === undefined ? {} : { mode: options.fakeMode });
  const listen = options.listen?.replace("{dir}", dir);
  const header = configHeader(dir, { ...options, ...(listen ? { listen } : {}) });
  const writeConfig = (body: string) => writeFileSync(configFile, `${header}${body}`);
  writeConfig(options.config);
  const connection = keepJournalConnection();
  const service = await startService({
    configFile,
    env: { ...fake.env, ...options.env },
    logger: options.logger ?? silentLogger(),
    connectJournal: connection.connect,
    ...(options.follow === undefined ? {} : { follow: options.follow }),
    ...(options.catchUpIntervalMs === undefined ? {} : { catchUpIntervalMs: options.catchUpIntervalMs }),
    ...(options.watchConfig === undefined ? {} : { watchConfig: options.watchConfig }),
  });
  const url = service.address;
  return {
    service,
    journalDatabase: connection.database(),
    url,
    dir,
    configFile,
    fake,
    writeConfig,
    configText: (body) => `${header}${body}`,
    post: (path, body, headers) => post(`${url}${path}`, body, headers),
    async stop() {
      await service.stop(1_000);
      fake.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the service's journal connection (ServiceOptions.connectJournal) and keeps it for the test:
 * `max_page_count` is per connection, so only the service's own can make its writes fail as on a
 * full disk.
 */
export function keepJournalConnection() {
  let kept: Database.Database | undefined;
  return {
    connect: (path: string) => (kept = new Database(path)),
    database(): Database.Database {
      if (kept === undefined) throw new Error("the service has not opened its journal");
      return kept;
    },
  };
}

export async function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, { method: "POST", body, headers });
  const text = await response.text();
  let parsed: Answer["body"];
  try {
    parsed = JSON.parse(text) as Answer["body"];
  } catch {
    throw new Error(`answer ${response.status} is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, body: parsed };
}

/** Headers GitHub sends with a delivery (content type JSON unless given). */
export function githubHeaders(event: string, delivery: string, signature?: string, contentType = "application/json"): Record<string, string> {
  return {
    "content-type": contentType,
    "user-agent": "GitHub-Hookshot/044aadd",
    "x-github-event": event,
    "x-github-delivery": delivery,
    "x-github-hook-id": "292430182",
    ...(signature ? { "x-hub-signature-256": signature } : {}),
  };
}

/** Headers Gitea sends: its own, plus Gogs' and GitHub's for compatibility (reference/forges.md). */
export function giteaHeaders(event: string, delivery: string, signature: string, contentType = "application/json"): Record<string, string> {
  return {
    "content-type": contentType,
    "user-agent": "Go-http-client/1.1",
    "x-gitea-event": event,
    "x-gitea-event-type": event,
    "x-gitea-delivery": delivery,
    "x-gitea-signature": signature,
    "x-gogs-event": event,
    "x-gogs-delivery": delivery,
    "x-gogs-signature": signature,
    "x-github-event": event,
    "x-github-delivery": delivery,
    "x-hub-signature": "",
    "x-hub-signature-256": signature ? `sha256=${signature}` : "",
  };
}

/**
 * Headers GitLab 17.x sends (docs.gitlab.com, webhooks "Delivery headers"): Idempotency-Key stays
 * the same across GitLab's own retries, X-Gitlab-Event-UUID is new each time. `token` is the
 * hook's secret token, sent as is.
 */
export function gitlabHeaders(event: string, idempotencyKey: string, extra: { token?: string; uuid?: string } & Record<string, string> = {}): Record<string, string> {
  const { token, uuid, ...rest } = extra;
  return {
    "content-type": "application/json",
    "user-agent": "GitLab/17.5.0",
    "x-gitlab-event": event,
    "x-gitlab-event-uuid": uuid ?? `uuid-${idempotencyKey}`,
    "x-gitlab-webhook-uuid": "5a1e8a3c-1b2d-4c5e-9f7a-2b3c4d5e6f70",
    "x-gitlab-instance": "https://gitlab.example.com",
    "idempotency-key": idempotencyKey,
    ...(token === undefined ? {} : { "x-gitlab-token": token }),
    ...rest,
  };
}
