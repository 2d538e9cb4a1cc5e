// An attempt whose outcome is unknown is looked for in laminard before it is made again (DESIGN.md
// guarantee 3): through the running service, the fake laminarc queueing on the fake laminard, and
// findQueuedRun alone against the fake laminard's run snapshots (reference/laminard-http.md).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test, type TestContext } from "node:test";
import { attemptReason, isAttemptReason } from "../../src/dispatch/attempt-reason.ts";
import { findQueuedRun, type QueuedQuery } from "../../src/laminar/find-queued.ts";
import { readFirstFrame } from "../../src/laminar/follow-snapshot.ts";
import type { RunRecord } from "../../src/journal/runs.ts";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";
import { payload } from "../support/payloads.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders, startTestService, type TestService } from "../support/test-service.ts";

const CONFIG = `
forges:
  github: { secret: topsecret }
repositories:
  - repo: Codertocat/Hello-World
    jobs: [{ job: hello, events: [push] }]
`;
const push5 = payload("github/push-5.json");

async function startWith(t: TestContext, laminar: string, mode: string, timeout = "1s"): Promise<{ svc: TestService; laminard: FakeLaminard }> {
  const laminard = await FakeLaminard.start({ keepAliveMs: 100 });
  const svc = await startTestService({
    config: CONFIG,
    laminar: `  http: ${laminard.url}\n  timeout: ${timeout}\n${laminar}`,
    env: { FAKE_LAMINARD: laminard.controlUrl },
    fakeMode: mode,
    follow: { backoff: { delayMs: 40, maxDelayMs: 300 }, recheckMs: 100, snapshotTimeoutMs: 500 },
  });
  t.after(async () => {
    await svc.stop();
    await laminard.close();
  });
  return { svc, laminard };
}

let deliveries = 0;
async function push(svc: TestService): Promise<number> {
  deliveries += 1;
  const answer = await svc.post("/hooks", push5, githubHeaders("push", `find-queued-${process.pid}-${deliveries}`, githubSignature("topsecret", push5)));
  assert.equal(answer.status, 202, answer.body.message);
  return Number(answer.body["id"]);
}

function runsOf(svc: TestService, id: number): RunRecord[] {
  const ids = svc.service.journal.getDelivery(id)?.dispatches.map((dispatch) => dispatch.id) ?? [];
  return [...svc.service.journal.runsOf(ids).values()].flat();
}

test("the reason names the dispatch and the attempt, and only that dispatch's attempts match it", () => {
  const reason = "GitHub push to sbrl/wiki master (3f2c1a9) by sbrl";
  assert.equal(attemptReason(reason, 42, 3), "GitHub push to sbrl/wiki master (3f2c1a9) by sbrl [dispatch 42, try 3]");
  assert.equal(isAttemptReason(attemptReason(reason, 42, 7), reason, 42), true);
  assert.equal(isAttemptReason(attemptReason(reason, 421, 3), reason, 42), false);
  assert.equal(isAttemptReason(attemptReason(reason, 4, 3), reason, 42), false);
  // A run lost and queued again carries another reason: its attempts are not this one's.
  assert.equal(isAttemptReason(attemptReason(`${reason} (re-queued: wiki:1 was lost in a laminard restart, 1 of 2)`, 42, 1), reason, 42), false);
  assert.equal(isAttemptReason(`${reason} [dispatch 42, try 3] and more`, reason, 42), false);
});

test("a laminarc killed at laminar.timeout after laminard queued the run: the run is found and followed, never queued twice", async (t) => {
  const { svc, laminard } = await startWith(t, "", "queue-hang");
  const id = await push(svc);
  await waitFor(() => laminard.queueCalls.length === 1 || undefined, 10_000, "laminard to queue hello:1");
  assert.match(laminard.queueCalls[0]?.reason ?? "", /^GitHub push to Codertocat\/Hello-World master \(\w{7}\) by Codertocat \[dispatch \d+, try 1\]$/);
  const run = await waitFor(() => runsOf(svc, id).find((candidate) => candidate.number === 1), 15_000, "hello:1 to be recorded");
  assert.equal(run.state, "queued");
  const dispatch = svc.service.journal.getDelivery(id)?.dispatches[0];
  assert.equal(dispatch?.status, "done");
  assert.equal(dispatch?.run, "hello:1");
  assert.deepEqual(dispatch?.attemptLog.map((attempt) => attempt.outcome), ["retry", "queued"]);
  assert.match(dispatch?.attemptLog[0]?.message ?? "", /did not answer within 1s/);
  assert.match(dispatch?.attemptLog[1]?.message ?? "", /laminard had queued it as hello:1/);

  laminard.completeRun("hello", 1, "success");
  await waitFor(() => runsOf(svc, id)[0]?.state === "success" || undefined, 10_000, "hello:1 to succeed");
  assert.equal(laminard.queueCalls.length, 1);
  assert.equal(svc.fake.calls().length, 1);
});

test("a laminarc that hung without queueing: not queued again while laminard cannot tell, then once it says it has no such run", async (t) => {
  const { svc, laminard } = await startWith(t, "  retry: { attempts: 100, delay: 50ms, max_delay: 200ms }\n", "hang");
  const id = await push(svc);
  await waitFor(() => svc.fake.calls().length === 1 || undefined, 10_000, "the hanging laminarc");
  await laminard.down();
  // The attempt times out; laminard is asked, cannot answer, and is asked again: laminarc is not run.
  await waitFor(() => {
    const log = svc.service.journal.getDelivery(id)?.dispatches[0]?.attemptLog ?? [];
    return log.filter((attempt) => /not queued again until laminard can tell/.test(attempt.message ?? "")).length >= 3 || undefined;
  }, 15_000, "three unanswered questions to laminard");
  assert.equal(svc.fake.calls().length, 1);
  svc.fake.setMode("ok");
  await laminard.up();
  await waitFor(() => laminard.queueCalls.length === 1 || undefined, 15_000, "the job queued once laminard said it had not");
  const dispatch = await waitFor(() => {
    const found = svc.service.journal.getDelivery(id)?.dispatches[0];
    return found?.status === "done" ? found : undefined;
  }, 10_000, "the dispatch to be done");
  assert.equal(dispatch.run, "hello:1");
  assert.equal(svc.fake.calls().length, 2);
  assert.match(laminard.queueCalls[0]?.reason ?? "", /\[dispatch \d+, try \d+\]$/);
});

test("the helper that started a laminarc which queued the run dies: the run is found and followed, never queued twice", async (t) => {
  // A timeout long enough that the helper's death, not the timeout, ends the call on a loaded machine.
  const { svc, laminard } = await startWith(t, "", "queue-hang", "20s");
  const id = await push(svc);
  const call = await waitFor(() => svc.fake.calls().find((candidate) => candidate.outcome === "queued-hang"), 10_000, "laminard to queue hello:1");
  // The fake laminarc's parent is the helper that started it (native or Node).
  const helper = Number(readFileSync(`/proc/${call.pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ")[1]);
  assert.ok(helper > 1 && helper !== process.pid);
  t.after(() => {
    try {
      process.kill(call.pid, "SIGKILL");
    } catch {
      // Gone with its helper.
    }
  });
  process.kill(helper, "SIGKILL");
  const dispatch = await waitFor(() => {
    const found = svc.service.journal.getDelivery(id)?.dispatches[0];
    return found?.status === "done" ? found : undefined;
  }, 15_000, "the dispatch to be settled");
  assert.equal(dispatch.run, "hello:1");
  assert.match(dispatch.attemptLog[0]?.message ?? "", /the helper that starts laminarc .*whether laminarc ran is unknown/);
  assert.match(dispatch.attemptLog.at(-1)?.message ?? "", /laminard had queued it as hello:1/);
  assert.equal(laminard.queueCalls.length, 1);
});

test("a run its unanswered call queued, that laminard aborted as it stopped, is found aborted and queued again", async (t) => {
  // The call hangs after laminard queued hello:1; hello:1 starts; laminard is stopped (SIGTERM aborts
  // it) and started again; only then does the call time out. The run found for it is aborted, by
  // no person: laminard stopped. It is built again, once.
  const { svc, laminard } = await startWith(t, "", "queue-hang", "3s");
  const id = await push(svc);
  await waitFor(() => laminard.queueCalls.length === 1 || undefined, 10_000, "laminard to queue hello:1");
  laminard.startRun("hello", 1);
  await laminard.restart();
  svc.fake.setMode("ok");
  await waitFor(() => laminard.queueCalls.length === 2 || undefined, 20_000, "hello queued again");
  const first = await waitFor(() => runsOf(svc, id).find((run) => run.number === 1 && run.requeuedAs === "hello:2"), 10_000, "hello:1 lost → hello:2");
  assert.equal(first.state, "lost");
  assert.match(first.note ?? "", /hello:1 was aborted by a laminard restart/);
  assert.match(laminard.queueCalls[1]?.reason ?? "", /\(re-queued: hello:1 was aborted by a laminard restart, 1 of 2\) \[dispatch \d+, try \d+\]$/);
  laminard.completeRun("hello", 2, "success");
  await waitFor(() => runsOf(svc, id).find((run) => run.number === 2)?.state === "success" || undefined, 10_000, "hello:2 to succeed");
  assert.equal(laminard.queueCalls.length, 2, "built once more, not twice");
});

test("findQueuedRun: the run with the attempt's reason, none since the attempt began, an unknown job, laminard unreachable", async (t) => {
  const laminard = await FakeLaminard.start({ keepAliveMs: 100 });
  t.after(() => laminard.close());
  const read = (url: URL) => readFirstFrame(url, { timeoutMs: 1000 });
  const since = Date.now();
  const query = (job: string, reason: string): QueuedQuery => ({ dispatchId: 7, job, host: "", since, matches: (candidate) => isAttemptReason(candidate, reason, 7) });
  laminard.queue("hello", [], attemptReason("push a", 7, 1));
  laminard.queue("hello", [], "by hand");
  laminard.queue("hello", [], attemptReason("push b", 8, 1));
  const base = laminard.url;

  assert.deepEqual(await findQueuedRun({ base, query: query("hello", "push a"), exclude: new Set(), read }), {
    kind: "queued", run: "hello:1", how: "laminard had queued it as hello:1 (found by its reason)",
  });
  // Run 1 is the dispatch's own already (recorded): not this attempt's.
  assert.equal((await findQueuedRun({ base, query: query("hello", "push a"), exclude: new Set([1]), read })).kind, "not-queued");
  assert.equal((await findQueuedRun({ base, query: query("hello", "push c"), exclude: new Set(), read })).kind, "not-queued");
  assert.equal((await findQueuedRun({ base, query: query("nosuchjob", "push a"), exclude: new Set(), read })).kind, "not-queued");
  // Only runs queued since the attempt began are read: older ones are not its.
  const before = laminard.requests.length;
  const later = { ...query("hello", "push z"), since: since + 60_000 };
  assert.equal((await findQueuedRun({ base, query: later, exclude: new Set(), read })).kind, "not-queued");
  assert.deepEqual(laminard.requests.slice(before).map((request) => request.path), ["/jobs/hello/0", "/jobs/hello/3"]);

  await laminard.down();
  assert.equal((await findQueuedRun({ base, query: query("hello", "push a"), exclude: new Set(), read })).kind, "unknown");
});
