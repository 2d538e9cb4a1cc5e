// The reporter as the service uses it: durable across restarts and kills, counted in /metrics,
// and never a token in the journal or the log.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createMetrics } from "../../src/observe/metrics.ts";
import { startStatusReporter } from "../../src/report/start-status-reporter.ts";
import type { PostEvent } from "../../src/report/status-poster.ts";
import { failures } from "../fixtures/fake-forge-api.ts";
import { startFakeGiteaApi } from "../fixtures/fake-gitea-api.ts";
import { startFakeGitHubApi } from "../fixtures/fake-github-api.ts";
import { recordingLogger } from "../support/recording-logger.ts";
import { configFrom, forgeConfig, journalDelivery, postEvents, recordChange, tempJournal } from "./report-kit.ts";

const TOKEN = "tok-7c1d2e3f4a5b6c7d8e9f";
const CHILD = fileURLToPath(new URL("../fixtures/status-reporter-child.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

test("stopped while a post hangs: after a restart on the same journal the post is made, once", async (t) => {
  const api = await startFakeGiteaApi({ token: TOKEN });
  t.after(() => api.close());
  const config = configFrom(forgeConfig("gitea", api.url), { FORGE_TOKEN: TOKEN });
  const journalFile = tempJournal(t);
  const first = journalFile.open();
  const { dispatchId, deliveryId } = await journalDelivery(first, "gitea");
  const reporter = startStatusReporter({ outbox: first.statusOutbox, getConfig: () => config, logger: recordingLogger().logger, timeoutMs: 60_000 });
  api.script(failures.hang());
  recordChange(first, reporter.listener, { dispatchId, runNumber: 42, state: "success", durationMs: 3000 });
  await api.waitForRequests(1);
  await reporter.stop();
  first.close();

  const second = journalFile.open();
  const posts = postEvents<PostEvent>();
  const restarted = startStatusReporter({ outbox: second.statusOutbox, getConfig: () => config, logger: recordingLogger().logger, onPost: posts.onPost });
  t.after(() => restarted.stop());
  await posts.waitFor((event) => event.decision.outcome === "posted", "the post after the restart");
  assert.deepEqual(api.requests.map((r) => r.answer), ["hang", 201]);
  assert.equal(api.statuses.length, 1);
  const [record] = restarted.outbox.postsOfDelivery(deliveryId);
  // The attempt cut short by the stop is not counted.
  assert.deepEqual([record?.status, record?.attempts], ["posted", 1]);
});

test("SIGKILLed between the run's result and its status post: the post happens after restart, once", async (t) => {
  const api = await startFakeGitHubApi({ token: TOKEN });
  t.after(() => api.close());
  const yaml = forgeConfig("github", api.url);
  const config = configFrom(yaml, { FORGE_TOKEN: TOKEN });
  const journalFile = tempJournal(t);
  const setupJournal = journalFile.open();
  const { dispatchId, deliveryId } = await journalDelivery(setupJournal, "github");
  setupJournal.close();

  api.script(failures.hang());
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    cwd: ROOT,
    env: { ...process.env, JOURNAL: journalFile.path, CONFIG: yaml, FORGE_TOKEN: TOKEN, DISPATCH: String(dispatchId), STATE: "failed" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit");
  await api.waitForRequests(1);
  child.kill("SIGKILL");
  await exited;

  const journal = journalFile.open();
  const { logger, lines } = recordingLogger();
  const posts = postEvents<PostEvent>();
  const reporter = startStatusReporter({ outbox: journal.statusOutbox, getConfig: () => config, logger, onPost: posts.onPost });
  t.after(() => reporter.stop());
  await posts.waitFor((event) => event.decision.outcome === "posted", "the post after the restart");
  assert.equal(reporter.outbox.postsOfDelivery(deliveryId)[0]?.status, "posted");
  assert.deepEqual(api.requests.map((r) => r.answer), ["hang", 201]);
  assert.deepEqual(api.statuses.map((s) => [s.state, s.description]), [["failure", "Laminar run #42 failed after 3s"]]);
  assert.deepEqual(api.problems, []);
  assert.ok(lines.some((line) => /1 status post\(s\) were in flight/.test(String(line.msg))));
});

test("/metrics counts posts by forge and outcome and gives the outbox's length", async (t) => {
  const api = await startFakeGiteaApi({ token: TOKEN });
  t.after(() => api.close());
  const config = configFrom(forgeConfig("gitea", api.url), { FORGE_TOKEN: TOKEN });
  const journal = tempJournal(t).open();
  const { dispatchId } = await journalDelivery(journal, "gitea");
  const metrics = createMetrics({ processMetrics: false });
  const reporter = startStatusReporter({
    outbox: journal.statusOutbox, getConfig: () => config, logger: recordingLogger().logger, metrics,
    retry: { attempts: 3, delayMs: 20, maxDelayMs: 50 },
  });
  t.after(() => reporter.stop());
  api.script(failures.serverError(), "hang");
  recordChange(journal, reporter.listener, { dispatchId, runNumber: 1, state: "queued" });
  await api.waitForRequests(2);
  const during = await metrics.registry.metrics();
  assert.match(during, /^laminar_hooks_status_outbox 1$/m);
  assert.match(during, /^laminar_hooks_status_posts_total\{forge="gitea",outcome="retry"\} 1$/m);
});

test("tokens never reach the journal nor the log, whatever the forge answers", async (t) => {
  const api = await startFakeGiteaApi({ token: TOKEN });
  t.after(() => api.close());
  const config = configFrom(forgeConfig("gitea", api.url), { FORGE_TOKEN: TOKEN });
  const journalFile = tempJournal(t);
  const journal = journalFile.open();
  const { dispatchId, deliveryId } = await journalDelivery(journal, "gitea");
  const { logger, lines } = recordingLogger();
  const posts = postEvents<PostEvent>();
  const reporter = startStatusReporter({
    outbox: journal.statusOutbox, getConfig: () => config, logger, onPost: posts.onPost, retry: { attempts: 2, delayMs: 20, maxDelayMs: 50 },
  });
  t.after(() => reporter.stop());
  // The forge echoes the token in its messages: a failure, then a refusal.
  api.script(
    { status: 500, body: { message: `upstream said: bad token ${TOKEN}` } },
    { status: 401, body: { message: `token ${TOKEN} is not valid` } },
  );
  recordChange(journal, reporter.listener, { dispatchId, runNumber: 1, state: "queued" });
  await posts.waitFor((event) => event.decision.outcome === "refused", "the refusal");
  const record = reporter.outbox.postsOfDelivery(deliveryId)[0];
  assert.equal(record?.answerMessage, "token [token] is not valid");
  await reporter.stop();
  journal.close();
  const bytes = readFileSync(journalFile.path).toString("latin1") + readWal(journalFile.path);
  assert.ok(!bytes.includes(TOKEN), "the journal file holds no token");
  assert.ok(lines.length >= 2, "the failures were logged");
  assert.ok(!JSON.stringify(lines).includes(TOKEN), "the log holds no token");
});

function readWal(path: string): string {
  try {
    return readFileSync(`${path}-wal`).toString("latin1");
  } catch {
    return "";
  }
}


test("Gogs has no status API: said once when the config is loaded, not at each run", async (t) => {
  const config = configFrom(`forges:\n  gogs: { secret: s3cret }\nrepositories:\n  - repo: sbrl/wiki\n    jobs: [{ job: wiki }]\n`);
  const journal = tempJournal(t).open();
  const { dispatchId } = await journalDelivery(journal, "gogs");
  const { logger, lines } = recordingLogger();
  const reporter = startStatusReporter({ outbox: journal.statusOutbox, getConfig: () => config, logger });
  t.after(() => reporter.stop());
  recordChange(journal, reporter.listener, { dispatchId, runNumber: 1, state: "queued" });
  recordChange(journal, reporter.listener, { dispatchId, runNumber: 1, state: "success", durationMs: 10 });
  assert.equal(reporter.outbox.waitingCount(), 0);
  assert.deepEqual(lines.filter((line) => /Gogs/.test(String(line.msg))).map((line) => line.msg),
    ["Gogs has no commit status API: runs of Gogs deliveries get no commit status"]);
});
