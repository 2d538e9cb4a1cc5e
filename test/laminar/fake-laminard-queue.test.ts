// The test fakes together, as the service meets them: the fake laminarc (test/fixtures/fake-laminarc.js)
// asks the fake laminard (test/fixtures/fake-laminard.ts) to queue, so run numbers come from laminard
// as in reality, and a laminard that is down refuses the call as laminarc.md says.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { execa } from "execa";
import { LaminarcHelper } from "../../src/laminar/laminarc-helper.ts";
import { createFakeLaminar, FAKE_LAMINARC, waitFor } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard, type FakeLaminardOptions } from "../fixtures/fake-laminard.ts";

/** A fake laminard, the fake laminarc's folder and the launcher the service uses, closed after the test. */
async function startQueueing(t: TestContext, options: FakeLaminardOptions) {
  const laminard = await FakeLaminard.start(options);
  const fake = createFakeLaminar();
  const helper = new LaminarcHelper();
  t.after(async () => {
    await helper.close();
    await laminard.close();
    fake.remove();
  });
  return { laminard, fake, helper };
}

test("with FAKE_LAMINARD the fake laminarc queues in the fake laminard: its numbers, multi-job calls, refused while it is down", async (t) => {
  const { laminard, fake, helper } = await startQueueing(t, { jobs: ["a", "b"] });
  const env = { ...fake.env, FAKE_LAMINARD: laminard.controlUrl, LAMINAR_REASON: "by hand" };
  laminard.queue("a", [], "earlier");
  const multi = await execa(FAKE_LAMINARC, ["queue", "a", "x=1", "nosuch", "b", "y=2"], { env, reject: false });
  // Not atomic, as the real one: the known jobs are queued and the call still exits 2.
  assert.equal(multi.exitCode, 2);
  assert.equal(multi.stdout, "a:2\nb:1");
  assert.equal(multi.stderr, "Failed to queue job 'nosuch'");
  assert.deepEqual(laminard.queueCalls.slice(1), [
    { name: "a", number: 2, reason: "by hand", params: ["x=1"] },
    { name: "b", number: 1, reason: "by hand", params: ["y=2"] },
  ]);
  // Through the launcher the service uses.
  const options = { laminarc: FAKE_LAMINARC, timeoutMs: 30_000, env };
  const result = await helper.run({ job: "b", params: {}, host: "", reason: "r" }, options);
  assert.deepEqual(result.outcome, { kind: "queued", run: "b:2" });

  await laminard.down();
  const refused = await helper.run({ job: "b", params: {}, host: "", reason: "r" }, options);
  assert.equal(refused.outcome.kind, "retry");
  assert.equal(refused.stderr.trim(), "connect(): Connection refused");
});

test("with executors and run lengths the fake laminard runs jobs for a while, two at a time; a SIGTERM restart aborts the running, loses the queued", async (t) => {
  const laminard = await FakeLaminard.start({ executors: 2, runMs: () => 60_000 });
  t.after(() => laminard.close());
  for (let n = 0; n < 3; n++) laminard.queue("slow", [`n=${n}`], "");
  assert.deepEqual(laminard.runs.map((run) => run.result), ["running", "running", "queued"]);
  assert.equal(laminard.busy, 3);
  await laminard.restart();
  // reference/laminard-http.md "Restarts": running runs end aborted, a queued one is lost for good.
  assert.deepEqual(laminard.runs.map((run) => run.result), ["aborted", "aborted", "queued"]);
  assert.equal(laminard.busy, 0);
  assert.deepEqual(laminard.events.map((event) => event.type), ["started", "job_queued", "job_started", "job_queued", "job_started", "job_queued", "stopped", "started"]);
  // Numbering goes on after the restart.
  assert.equal(laminard.queue("slow", [], "")?.number, 4);
});

test("a run completes with success once its run length has passed, and the next queued one starts", async (t) => {
  const laminard = await FakeLaminard.start({ executors: 1, runMs: () => 20 });
  t.after(() => laminard.close());
  laminard.queue("quick", [], "");
  laminard.queue("quick", [], "");
  await waitFor(() => laminard.runs.every((run) => run.result === "success"), 5000, "both runs to complete");
  assert.deepEqual(laminard.events.filter((event) => event.type !== "started").map((event) => `${event.type} ${event.number ?? ""}`), [
    "job_queued 1", "job_started 1", "job_queued 2", "job_completed 1", "job_started 2", "job_completed 2",
  ]);
});

test("holdAnswers: laminard queues the run and never answers, so laminarc blocks until killed at its timeout", async (t) => {
  const { laminard, fake, helper } = await startQueueing(t, {});
  laminard.holdAnswers = 1;
  const options = { laminarc: FAKE_LAMINARC, timeoutMs: 1500, env: { ...fake.env, FAKE_LAMINARD: laminard.controlUrl } };
  const held = await helper.run({ job: "held", params: {}, host: "", reason: "r" }, options);
  assert.equal(held.outcome.kind, "retry", "killed at its timeout: whether it queued is unknown to the caller");
  assert.deepEqual(laminard.queueCalls.map((call) => `${call.name}:${call.number}`), ["held:1"], "but laminard did queue it");
  assert.equal(laminard.events.find((event) => event.type === "job_queued")?.held, true);
  // Only the next call was held.
  const answered = await helper.run({ job: "held", params: {}, host: "", reason: "r" }, options);
  assert.deepEqual(answered.outcome, { kind: "queued", run: "held:2" });
});
