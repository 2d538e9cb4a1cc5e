// Following runs through the running service: the real HTTP server and journal, the fake laminarc
// asking the fake laminard (test/fixtures/fake-laminard.ts) to queue, and its event stream.

import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { readRuns, type RunRecord } from "../../src/journal/runs.ts";
import { silentLogger } from "../../src/observe/logger.ts";
import { startService } from "../../src/start-service.ts";
import type { RunStateChange } from "../../src/journal/run-state.ts";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard, type FakeResult } from "../fixtures/fake-laminard.ts";
import { anotherPush, payload } from "../support/payloads.ts";
import { recordingLogger } from "../support/recording-logger.ts";
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

interface Followed {
  svc: TestService;
  laminard: FakeLaminard;
  changes: RunStateChange[];
  lines: Record<string, unknown>[];
}

async function startFollowed(t: TestContext, options: { autoRun?: FakeResult; down?: boolean; requeueLost?: number; config?: string } = {}): Promise<Followed> {
  const laminard = await FakeLaminard.start({ keepAliveMs: 100, ...(options.autoRun ? { autoRun: options.autoRun } : {}) });
  if (options.down === true) await laminard.down();
  const { logger, lines } = recordingLogger();
  const svc = await startTestService({
    config: options.config ?? CONFIG,
    laminar: `  http: ${laminard.url}\n  requeue_lost: ${options.requeueLost ?? 2}\n`,
    env: { FAKE_LAMINARD: laminard.controlUrl },
    logger,
    follow: { backoff: { delayMs: 40, maxDelayMs: 300 }, recheckMs: 100 },
  });
  const changes: RunStateChange[] = [];
  svc.service.onRunState((change) => changes.push(change));
  t.after(async () => {
    await svc.stop();
    await laminard.close();
  });
  return { svc, laminard, changes, lines };
}

let deliveries = 0;
async function push(svc: TestService): Promise<number> {
  deliveries += 1;
  const id = `follow-${process.pid}-${deliveries}`;
  // A push of its own each: one push builds once, whatever its delivery ids.
  const body = anotherPush(push5, id);
  const answer = await svc.post("/hooks", body, githubHeaders("push", id, githubSignature("topsecret", body)));
  assert.equal(answer.status, 202, answer.body.message);
  return Number(answer.body["id"]);
}

function runs(svc: TestService): RunRecord[] {
  const ids = svc.service.journal.listDeliveries({ limit: 1000 }).flatMap((item) => item.jobs.map((job) => job.id));
  return [...svc.service.journal.runsOf(ids).values()].flat().sort((a, b) => a.id - b.id);
}

function runState(svc: TestService, name: string): RunRecord | undefined {
  return runs(svc).find((run) => `${run.job}:${run.number}` === name);
}

function waitForRun(svc: TestService, name: string, state: RunRecord["state"], timeoutMs = 30_000): Promise<RunRecord> {
  return waitFor(() => {
    const run = runState(svc, name);
    return run?.state === state ? run : undefined;
  }, timeoutMs, `${name} to be ${state} (now ${runState(svc, name)?.state ?? "not recorded"})`);
}

test("a run is followed from queued through running to success, with times, and its delivery settles only then", async (t) => {
  const { svc, laminard, changes } = await startFollowed(t);
  const id = await push(svc);
  await waitForRun(svc, "hello:1", "queued");
  assert.equal(svc.service.journal.getDelivery(id)?.status, "queued", "a delivery whose run has no result is not settled");
  await waitFor(() => svc.service.follower.connected, 5000, "the stream to connect");

  laminard.startRun("hello", 1);
  const running = await waitForRun(svc, "hello:1", "running");
  assert.ok(running.startedAt !== null && running.startedAt > 0);
  laminard.completeRun("hello", 1, "success");
  const done = await waitForRun(svc, "hello:1", "success");
  assert.ok(done.completedAt !== null && done.completedAt >= done.startedAt!);
  assert.equal(svc.service.journal.getDelivery(id)?.status, "done");

  assert.deepEqual(changes.map((change) => [change.job, change.runNumber, change.state]), [
    ["hello", 1, "queued"],
    ["hello", 1, "running"],
    ["hello", 1, "success"],
  ]);
  assert.equal(typeof changes[2]?.durationMs, "number");
  const metrics = await (await fetch(`${svc.url}/metrics`)).text();
  assert.match(metrics, /laminar_hooks_runs_total\{result="success"\} 1/);
  assert.match(metrics, /laminar_hooks_laminard_connected 1/);
});

test("failed and aborted runs are recorded as such", async (t) => {
  const { svc, laminard } = await startFollowed(t, { autoRun: "failed" });
  await push(svc);
  await waitForRun(svc, "hello:1", "failed");
  laminard.autoRun = "aborted";
  await push(svc);
  await waitForRun(svc, "hello:2", "aborted");
  // An abort that the stream told as it happened was a person's (laminarc abort): not queued again.
  assert.equal(laminard.queueCalls.length, 2);
  const metrics = await (await fetch(`${svc.url}/metrics`)).text();
  assert.match(metrics, /laminar_hooks_runs_total\{result="failed"\} 1/);
  assert.match(metrics, /laminar_hooks_runs_total\{result="aborted"\} 1/);
});

test("laminard restarted with 3 runs queued: 3 new runs, each queued once more, none twice", async (t) => {
  const { svc, laminard, changes } = await startFollowed(t);
  for (let i = 0; i < 3; i += 1) await push(svc);
  for (const n of [1, 2, 3]) await waitForRun(svc, `hello:${n}`, "queued");
  await waitFor(() => svc.service.follower.connected, 5000, "the stream to connect");

  await laminard.restart();
  for (const n of [1, 2, 3]) await waitForRun(svc, `hello:${n}`, "lost");
  await waitFor(() => laminard.queued.length === 3 || undefined, 10_000, "3 runs queued again");
  await waitFor(() => runs(svc).filter((run) => run.requeuedAs !== null).length === 3 || undefined, 5000, "the lost runs to point at the new ones");

  // Each lost run points at its own new run, and laminard was asked for exactly 6 runs in all.
  const lost = runs(svc).filter((run) => run.state === "lost");
  assert.deepEqual(new Set(lost.map((run) => run.requeuedAs)), new Set(["hello:4", "hello:5", "hello:6"]));
  assert.equal(laminard.queueCalls.length, 6);
  for (const call of laminard.queueCalls.slice(3)) {
    assert.match(call.reason, /\(re-queued: hello:[123] was lost in a laminard restart, 1 of 2\) \[dispatch \d+, try 1\]$/);
  }
  for (const n of [4, 5, 6]) laminard.completeRun("hello", n, "success");
  for (const n of [4, 5, 6]) await waitForRun(svc, `hello:${n}`, "success");

  // One more reconnect settles nothing new: still 6 runs asked for.
  const opened = laminard.streamsOpened;
  await laminard.restart();
  await laminard.waitForStreams(opened + 1);
  await waitFor(() => svc.service.follower.connected, 5000, "the stream to reconnect");
  assert.equal(laminard.queueCalls.length, 6);
  assert.equal(changes.filter((change) => change.state === "lost").length, 3);
  const metrics = await (await fetch(`${svc.url}/metrics`)).text();
  assert.match(metrics, /laminar_hooks_runs_total\{result="lost"\} 3/);
  assert.match(metrics, /laminar_hooks_runs_requeued_total 3/);

  // Every request for a stream or a snapshot carried laminard's exact Accept header.
  assert.ok(laminard.requests.some((request) => request.path === "/jobs/hello/1"), "the lost runs' own snapshots were read");
  for (const request of laminard.requests) assert.equal(request.accept, "text/event-stream", request.path);
});

test("a run lost more often than requeue_lost allows fails its dispatch with a message that says so", async (t) => {
  const { svc, laminard, changes } = await startFollowed(t, { requeueLost: 1 });
  const id = await push(svc);
  await waitForRun(svc, "hello:1", "queued");
  await waitFor(() => svc.service.follower.connected, 5000, "the stream to connect");
  await laminard.restart();
  await waitForRun(svc, "hello:2", "queued");
  await waitFor(() => svc.service.follower.connected, 5000, "the stream to reconnect");
  await laminard.restart();
  await waitForRun(svc, "hello:2", "lost");
  const dispatch = await waitFor(() => {
    const found = svc.service.journal.getDelivery(id)?.dispatches[0];
    return found?.status === "failed" ? found : undefined;
  }, 5000, "the dispatch to fail");
  assert.match(dispatch.lastError ?? "", /hello:2 was lost in a laminard restart after being queued again once \(laminar\.requeue_lost: 1\)/);
  assert.equal(laminard.queueCalls.length, 2);
  assert.deepEqual(changes.slice(-2).map((change) => change.state), ["lost", "error"]);
});

test("laminard down at start: following says so, keeps trying, and connects when it comes up", async (t) => {
  const { svc, laminard, lines } = await startFollowed(t, { down: true });
  await waitFor(() => lines.some((line) => /event stream is unreachable/.test(String(line["msg"]))), 5000, "the warning");
  assert.equal(svc.service.follower.connected, false);
  await laminard.up();
  await waitFor(() => svc.service.follower.connected, 10_000, "the stream to connect");
  await push(svc);
  await waitForRun(svc, "hello:1", "queued");
  laminard.completeRun("hello", 1, "success");
  await waitForRun(svc, "hello:1", "success");
});

test("events of other jobs and other runs leave the followed runs alone", async (t) => {
  const { svc, laminard } = await startFollowed(t);
  await waitFor(() => svc.service.follower.connected, 5000, "the stream to connect");
  await push(svc);
  await waitForRun(svc, "hello:1", "queued");
  // Another job with the same run number, and a run of our job that no dispatch queued.
  laminard.queue("other", [], "");
  laminard.completeRun("other", 1, "failed");
  laminard.queue("hello", [], "by hand");
  laminard.completeRun("hello", 2, "aborted");
  laminard.completeRun("hello", 1, "success");
  await waitForRun(svc, "hello:1", "success");
  assert.deepEqual(runs(svc).map((run) => [run.job, run.number, run.state]), [["hello", 1, "success"]]);
});

test("the run of a laminarc call answered just before laminard restarts is queued again once", async (t) => {
  const { svc, laminard } = await startFollowed(t);
  await waitFor(() => svc.service.follower.connected, 5000, "the stream to connect");
  const opened = laminard.streamsOpened;
  // laminard answers `hello:1` and goes down at once; the service records it after the restart began.
  const restarted = new Promise<void>((resolve) => {
    laminard.onQueued = () => {
      laminard.onQueued = undefined;
      setImmediate(() => void laminard.restart().then(resolve));
    };
  });
  await push(svc);
  await restarted;
  await laminard.waitForStreams(opened + 1);
  await waitForRun(svc, "hello:1", "lost");
  await waitForRun(svc, "hello:2", "queued");
  laminard.completeRun("hello", 2, "success");
  await waitForRun(svc, "hello:2", "success");
  assert.deepEqual(laminard.queueCalls.map((call) => call.number), [1, 2]);
});

test("a dispatch that fails for good is told as error with laminarc's message, inside its transaction", async (t) => {
  const { svc, laminard, changes } = await startFollowed(t);
  laminard.jobs = new Set(["something-else"]);
  const id = await push(svc);
  const dispatch = await waitFor(() => {
    const found = svc.service.journal.getDelivery(id)?.dispatches[0];
    return found?.status === "failed" ? found : undefined;
  }, 5000, "the dispatch to fail");
  assert.deepEqual(changes.map((change) => [change.dispatchId, change.job, change.state, change.runNumber]), [[dispatch.id, "hello", "error", undefined]]);
  assert.match(changes[0]?.reason ?? "", /Laminar does not know job "hello"/);
  assert.deepEqual(runs(svc), []);
});

test("without laminar.http a run is told as queued but not followed: its dispatch is settled when queued", async (t) => {
  const svc = await startTestService({ config: CONFIG });
  t.after(() => svc.stop());
  const changes: RunStateChange[] = [];
  svc.service.onRunState((change) => changes.push(change));
  const id = await push(svc);
  await waitFor(() => svc.service.journal.getDelivery(id)?.status === "done", 5000, "done");
  assert.deepEqual(changes.map((change) => [change.job, change.runNumber, change.state]), [["hello", 1, "queued"]]);
  assert.deepEqual(runs(svc), []);
  assert.equal(svc.service.follower.connected, false);
});

test("a job with its own host: runs on another Laminar, which laminar.http cannot see: not followed", async (t) => {
  const config = CONFIG.replace("jobs: [{ job: hello, events: [push] }]", "jobs: [{ job: hello, events: [push] }, { job: arm, events: [push], host: \"10.0.0.7:9997\" }]");
  const { svc, laminard } = await startFollowed(t, { config });
  const id = await push(svc);
  await waitForRun(svc, "hello:1", "queued");
  await waitFor(() => svc.service.journal.getDelivery(id)?.dispatches.every((dispatch) => dispatch.status === "done"), 5000, "both queued");
  laminard.completeRun("hello", 1, "success");
  await waitForRun(svc, "hello:1", "success");
  assert.equal(svc.service.journal.getDelivery(id)?.status, "done");
  assert.deepEqual(runs(svc).map((run) => run.job), ["hello"]);
});

test("a laminarc call refused while laminard is down is retried and queued once when it is back", async (t) => {
  const { svc, laminard } = await startFollowed(t);
  await waitFor(() => svc.service.follower.connected, 5000, "the stream to connect");
  await laminard.down();
  await push(svc);
  await waitFor(() => svc.fake.calls().some((call) => /Connection refused/.test(call.stderr)), 5000, "a refused laminarc call");
  await laminard.up();
  await waitForRun(svc, "hello:1", "queued");
  laminard.completeRun("hello", 1, "success");
  await waitForRun(svc, "hello:1", "success");
  assert.deepEqual(laminard.queueCalls.map((call) => call.number), [1]);
});

test("runs that ended while the service was stopped are settled when it starts again", async (t) => {
  const { svc, laminard } = await startFollowed(t);
  await push(svc);
  await push(svc);
  await waitForRun(svc, "hello:1", "queued");
  await waitForRun(svc, "hello:2", "queued");
  await svc.service.stop(1000);
  // One completes while nobody listens; the other was lost to a restart meanwhile.
  laminard.completeRun("hello", 1, "failed");
  await laminard.restart();

  const again = await startService({ configFile: svc.configFile, env: { ...svc.fake.env, FAKE_LAMINARD: laminard.controlUrl }, logger: silentLogger(), follow: { backoff: { delayMs: 40, maxDelayMs: 300 }, recheckMs: 100 } });
  t.after(() => again.stop(1000));
  const view = { ...svc, service: again };
  await waitForRun(view, "hello:1", "failed");
  await waitForRun(view, "hello:2", "lost");
  await waitForRun(view, "hello:3", "queued");
  assert.deepEqual(laminard.queueCalls.map((call) => call.number), [1, 2, 3]);
});

test("a running run aborted by a laminard stop (SIGTERM) or lost to a kill (SIGKILL) is queued again, each under requeue_lost", async (t) => {
  const { svc, laminard, changes } = await startFollowed(t);
  await push(svc);
  await push(svc);
  await waitForRun(svc, "hello:1", "queued");
  await waitForRun(svc, "hello:2", "queued");
  await waitFor(() => svc.service.follower.connected, 5000, "the stream to connect");
  laminard.startRun("hello", 1);
  await waitForRun(svc, "hello:1", "running");
  await laminard.restart();
  // laminard says aborted (it aborts running jobs as it stops); the stream had dropped meanwhile.
  assert.equal(laminard.run("hello", 1)?.result, "aborted");
  const aborted = await waitForRun(svc, "hello:1", "lost");
  assert.match(aborted.note ?? "", /^hello:1 was aborted by a laminard restart: it was running when laminard stopped; queued again \(1 of 2\)$/);
  await waitForRun(svc, "hello:2", "lost");
  await waitFor(() => laminard.queueCalls.length === 4 || undefined, 10_000, "both runs queued again");
  const again = laminard.queueCalls.slice(2).map((call) => call.reason.replace(/^.* \(re-queued: /, "").replace(/ \[dispatch \d+, try 1\]$/, "")).sort();
  assert.deepEqual(again, ["hello:1 was aborted by a laminard restart, 1 of 2)", "hello:2 was lost in a laminard restart, 1 of 2)"]);
  // The run aborted by the restart is told as lost (pending on the forge), never as aborted.
  assert.equal(changes.some((change) => change.state === "aborted"), false);

  const third = laminard.queueCalls.find((call) => call.reason.includes("hello:1 was aborted"))!.number;
  laminard.startRun("hello", third);
  await waitForRun(svc, `hello:${third}`, "running");
  const opened = laminard.streamsOpened;
  await laminard.restart({ kill: true });
  await laminard.waitForStreams(opened + 1);
  const lost = await waitForRun(svc, `hello:${third}`, "lost");
  assert.match(lost.note ?? "", new RegExp(`hello:${third} was lost in a laminard restart: it was running and never completed \\(laminard was killed\\); queued again \\(2 of 2\\)`));
  await waitFor(() => laminard.queueCalls.length >= 6 || undefined, 10_000, "both queued again after the kill");
  assert.match(laminard.queueCalls.find((call) => call.reason.includes(`hello:${third} was lost`))?.reason ?? "", /, 2 of 2\) \[dispatch \d+, try 1\]$/);
});

test("a run aborted by a restart past requeue_lost fails its dispatch and says so", async (t) => {
  const { svc, laminard, changes } = await startFollowed(t, { requeueLost: 0 });
  const id = await push(svc);
  await waitForRun(svc, "hello:1", "queued");
  await waitFor(() => svc.service.follower.connected, 5000, "the stream to connect");
  laminard.startRun("hello", 1);
  await waitForRun(svc, "hello:1", "running");
  await laminard.restart();
  await waitForRun(svc, "hello:1", "lost");
  const dispatch = await waitFor(() => {
    const found = svc.service.journal.getDelivery(id)?.dispatches[0];
    return found?.status === "failed" ? found : undefined;
  }, 5000, "the dispatch to fail");
  assert.match(dispatch.lastError ?? "", /hello:1 was aborted by a laminard restart and laminar\.requeue_lost is 0/);
  assert.equal(laminard.queueCalls.length, 1);
  assert.deepEqual(changes.slice(-2).map((change) => change.state), ["lost", "error"]);
});
