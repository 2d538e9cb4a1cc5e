// `deliveries` gives, per job, the latest commit status posted for its run and whether the forge
// took it, in text and JSON, and never the token.
import assert from "node:assert/strict";
import { test } from "node:test";
import { silentLogger } from "../../src/observe/logger.ts";
import { startStatusReporter } from "../../src/report/start-status-reporter.ts";
import type { PostEvent } from "../../src/report/status-poster.ts";
import { failures } from "../fixtures/fake-forge-api.ts";
import { giteaWithJournal, journalDelivery, postEvents, recordChange } from "../report/report-kit.ts";
import { runCli } from "../support/run-cli.ts";

const TOKEN = "deliveries-test-token-9a8b7c6d";

interface ListedJob {
  id: number;
  latestStatus: { state: string; context: string; status: string; answerStatus: number | null; targetUrl: string } | null;
}

test("deliveries shows each job's latest commit status and whether the forge took it, in text and JSON", async (t) => {
  const { api, configFile, config, journal } = await giteaWithJournal(t, TOKEN);
  const refused = await journalDelivery(journal, "gitea");
  const passed = await journalDelivery(journal, "gitea");
  const silent = await journalDelivery(journal, "gitea");
  const posts = postEvents<PostEvent>();
  const reporter = startStatusReporter({ outbox: journal.statusOutbox, getConfig: () => config, logger: silentLogger(), onPost: posts.onPost });
  api.script(failures.unprocessable("sha is not a commit of sbrl/wiki"));
  recordChange(journal, reporter.listener, { dispatchId: refused.dispatchId, runNumber: 41, state: "queued" });
  await posts.waitFor((event) => event.decision.outcome === "refused", "the refusal");
  recordChange(journal, reporter.listener, { dispatchId: passed.dispatchId, runNumber: 42, state: "queued" });
  await posts.waitFor((event) => event.post.runNumber === 42 && event.decision.outcome === "posted", "run 42's pending");
  recordChange(journal, reporter.listener, { dispatchId: passed.dispatchId, runNumber: 42, state: "success", durationMs: 63_000 });
  await posts.waitFor((event) => event.post.runState === "success" && event.decision.outcome === "posted", "run 42's success");
  await reporter.stop();
  journal.close();

  const env = { ...process.env, FORGE_TOKEN: TOKEN };
  const listed = await runCli(["deliveries", "--config", configFile], env);
  assert.equal(listed.code, 0, listed.stderr);
  const line = (id: number) => listed.stdout.split("\n").find((text) => text.startsWith(`${id} `)) ?? "";
  assert.match(line(refused.deliveryId), /wiki pending \[status pending: refused 422\]$/);
  assert.match(line(passed.deliveryId), /wiki pending \[status success: posted\]$/);
  assert.match(line(silent.deliveryId), /wiki pending$/);
  assert.ok(!listed.stdout.includes(TOKEN));

  const json = await runCli(["deliveries", "--json", "--config", configFile], env);
  assert.equal(json.code, 0, json.stderr);
  const items = JSON.parse(json.stdout) as { id: number; jobs: ListedJob[] }[];
  const latest = (id: number) => items.find((item) => item.id === id)?.jobs[0]?.latestStatus;
  assert.deepEqual(latest(refused.deliveryId), { ...latest(refused.deliveryId), state: "pending", context: "laminar/wiki", status: "refused", answerStatus: 422 });
  assert.deepEqual(latest(passed.deliveryId), { ...latest(passed.deliveryId), state: "success", status: "posted", answerStatus: 201, targetUrl: "https://ci.example.com/jobs/wiki/42" });
  assert.equal(latest(silent.deliveryId), null);
  assert.ok(!json.stdout.includes(TOKEN));
});
