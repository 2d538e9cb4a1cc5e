// `show` lists each commit status a delivery's runs posted: state, context and the forge's answer.
import assert from "node:assert/strict";
import { test } from "node:test";
import { silentLogger } from "../../src/observe/logger.ts";
import { startStatusReporter } from "../../src/report/start-status-reporter.ts";
import type { PostEvent } from "../../src/report/status-poster.ts";
import { failures } from "../fixtures/fake-forge-api.ts";
import { giteaWithJournal, journalDelivery, postEvents, recordChange } from "../report/report-kit.ts";
import { runCli } from "../support/run-cli.ts";

const TOKEN = "show-test-token-5f4e3d2c1b";

test("show gives each status posted, with the forge's answer, in text and JSON, and never the token", async (t) => {
  const { api, configFile, config, journal } = await giteaWithJournal(t, TOKEN);
  const { dispatchId, deliveryId } = await journalDelivery(journal, "gitea");
  const posts = postEvents<PostEvent>();
  const reporter = startStatusReporter({ outbox: journal.statusOutbox, getConfig: () => config, logger: silentLogger(), onPost: posts.onPost });
  api.script(failures.unprocessable("sha is not a commit of sbrl/wiki"));
  recordChange(journal, reporter.listener, { dispatchId, runNumber: 42, state: "queued" });
  await posts.waitFor((event) => event.decision.outcome === "refused", "the refusal");
  recordChange(journal, reporter.listener, { dispatchId, runNumber: 42, state: "success", durationMs: 63_000 });
  await posts.waitFor((event) => event.decision.outcome === "posted", "the success");
  await reporter.stop();
  journal.close();

  const env = { ...process.env, FORGE_TOKEN: TOKEN };
  const shown = await runCli(["show", String(deliveryId), "--config", configFile], env);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /status pending "laminar\/wiki" on 3f2c1a9: refused, 422 sha is not a commit of sbrl\/wiki \(Laminar run #42 is queued\)/);
  assert.match(shown.stdout, /status success "laminar\/wiki" on 3f2c1a9: posted, 201 \(Laminar run #42 passed in 1m 3s\)/);
  assert.ok(!shown.stdout.includes(TOKEN));

  const json = await runCli(["show", String(deliveryId), "--json", "--config", configFile], env);
  assert.equal(json.code, 0, json.stderr);
  const detail = JSON.parse(json.stdout) as { dispatches: { statuses: { state: string; context: string; status: string; answerStatus: number; answerMessage: string | null; targetUrl: string }[] }[] };
  assert.deepEqual(detail.dispatches[0]?.statuses.map((s) => [s.state, s.context, s.status, s.answerStatus, s.answerMessage, s.targetUrl]), [
    ["pending", "laminar/wiki", "refused", 422, "sha is not a commit of sbrl/wiki", "https://ci.example.com/jobs/wiki/42"],
    ["success", "laminar/wiki", "posted", 201, null, "https://ci.example.com/jobs/wiki/42"],
  ]);
  assert.ok(!json.stdout.includes(TOKEN));
});
