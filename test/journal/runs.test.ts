// The runs table on a real SQLite file: recorded inside the attempt's transaction, moved forward
// only, lost runs queued again or given up, and listeners told inside each transaction.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openJournal } from "../../src/journal/open-journal.ts";
import type { Journal } from "../../src/journal/index.ts";
import type { RunStateChange } from "../../src/journal/run-state.ts";
import type { AttemptResult } from "../../src/types.ts";
import { delivery, job, tempDir } from "./journal-fixtures.ts";

type Context = Parameters<typeof tempDir>[0];

function queuedAttempt(run: string): AttemptResult {
  return { outcome: { kind: "queued", run }, exitCode: 0, signal: null, stdout: `${run}\n`, stderr: "", durationMs: 20, timedOut: false };
}

/** Records an attempt as the dispatcher does; a listener's error comes back as it would to the dispatcher. */
function recordAttempt(journal: Journal, dispatchId: number, result: AttemptResult): void {
  const [error] = journal.recordAttempts([{ dispatchId, result, next: { status: "done" } }]);
  if (error) throw error;
}

/** A journal with one delivery of one job, claimed; a RunJournal whose listener records (or throws). */
async function setup(t: Context) {
  const clock = { now: 1_700_000_000_000 };
  const journal = openJournal(join(tempDir(t), "journal.db"), { now: () => clock.now });
  t.after(() => journal.close());
  const changes: RunStateChange[] = [];
  const listener = { fail: false };
  const runs = journal.runJournal((change) => {
    if (listener.fail) throw new Error("the outbox is full");
    changes.push(change);
  });
  journal.onAttemptRecorded(({ dispatchId, result, at }) => {
    if (result.outcome.kind !== "queued") return;
    const [name, number] = result.outcome.run.split(":");
    runs.recordQueued(dispatchId, name!, Number(number), at);
  });
  const { id, dispatchIds } = await journal.commitDelivery(delivery({ jobs: [job("wiki")] }));
  const dispatchId = dispatchIds[0]!;
  const queue = (run: string) => {
    journal.claimDue(clock.now, 1);
    recordAttempt(journal, dispatchId, queuedAttempt(run));
  };
  return { journal, runs, changes, listener, clock, deliveryId: id, dispatchId, queue };
}

test("a queued attempt records its run inside the attempt's transaction; the delivery settles only with the run's result", async (t) => {
  const { journal, runs, changes, clock, deliveryId, dispatchId, queue } = await setup(t);
  queue("wiki:42");
  const [run] = runs.followed();
  assert.deepEqual(run, {
    id: run!.id, dispatchId, job: "wiki", number: 42, state: "queued", queuedAt: clock.now, startedAt: null, completedAt: null, requeuedAs: null, note: null,
  });
  assert.equal(journal.getDelivery(deliveryId)?.status, "queued");
  assert.equal(await journal.prune(0), 0, "retention keeps a delivery whose run is followed");

  clock.now += 1000;
  assert.equal(runs.advance(run!.id, { state: "running", startedAt: clock.now - 500 })?.state, "running");
  assert.equal(runs.advance(run!.id, { state: "running" }), undefined, "not news");
  const done = runs.advance(run!.id, { state: "success", startedAt: clock.now - 500, completedAt: clock.now + 62_500 });
  assert.deepEqual(done, { dispatchId, job: "wiki", runNumber: 42, state: "success", at: clock.now + 62_500, durationMs: 63_000 });
  assert.equal(runs.advance(run!.id, { state: "failed" }), undefined, "a result is final");
  assert.equal(runs.followedCount(), 0);
  assert.equal(journal.getDelivery(deliveryId)?.status, "done");
  assert.deepEqual(changes.map((change) => change.state), ["running", "success"]);
  clock.now += 1000;
  assert.equal(await journal.prune(0), 1);
});

test("a lost run queues its dispatch again with a new reason; the next run points back; past the limit it fails", async (t) => {
  const { journal, runs, changes, deliveryId, dispatchId, queue } = await setup(t);
  queue("wiki:42");
  const first = runs.followed()[0]!;
  const lost = runs.markLost(first.id, { kind: "requeue", reason: "push (re-queued: wiki:42 was lost in a laminard restart, 1 of 2)", note: "wiki:42 was lost; queued again (1 of 2)" });
  assert.deepEqual(lost.map((change) => [change.state, change.runNumber, change.reason]), [["lost", 42, "wiki:42 was lost; queued again (1 of 2)"]]);
  assert.equal(runs.markLost(first.id, { kind: "give-up", note: "x", error: "y" }).length, 0, "lost once only");

  const [claimed] = journal.claimDue(Number.MAX_SAFE_INTEGER, 1);
  assert.equal(claimed?.id, dispatchId);
  assert.equal(claimed?.attempt, 1, "a fresh retry budget");
  assert.equal(claimed?.request.reason, "push (re-queued: wiki:42 was lost in a laminard restart, 1 of 2)");
  recordAttempt(journal, dispatchId, queuedAttempt("wiki:43"));
  assert.equal(runs.lostCount(dispatchId), 1);

  const second = runs.followed()[0]!;
  assert.equal(second.number, 43);
  runs.markLost(second.id, { kind: "give-up", note: "wiki:43 was lost; not queued again", error: "wiki:43 was lost … not queued again" });
  const detail = journal.getDelivery(deliveryId)!;
  assert.equal(detail.status, "failed");
  assert.equal(detail.dispatches[0]?.lastError, "wiki:43 was lost … not queued again");
  assert.deepEqual(journal.runsOf([dispatchId]).get(dispatchId)?.map((run) => [run.number, run.state, run.requeuedAs]), [
    [42, "lost", "wiki:43"],
    [43, "lost", null],
  ]);
  assert.deepEqual(changes.map((change) => change.state), ["lost", "lost", "error"]);
  assert.equal(changes[2]?.runNumber, undefined);
});

test("a listener that throws rolls its change back with it", async (t) => {
  const { runs, listener, queue } = await setup(t);
  queue("wiki:42");
  const run = runs.followed()[0]!;
  listener.fail = true;
  assert.throws(() => runs.advance(run.id, { state: "success" }), /the outbox is full/);
  assert.equal(runs.get(run.id)?.state, "queued");
  assert.throws(() => runs.markLost(run.id, { kind: "requeue", reason: "r", note: "n" }), /the outbox is full/);
  assert.equal(runs.get(run.id)?.state, "queued");
  listener.fail = false;
  assert.equal(runs.advance(run.id, { state: "success" })?.state, "success");
});
