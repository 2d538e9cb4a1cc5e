// The outbox's table rules on a real SQLite journal: one post in flight per commit and context,
// never an older state after a newer one, kept or rolled back with the change that made it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { StatusOutbox, type NewStatusPost } from "../../src/journal/status-outbox.ts";
import { journalDelivery, tempJournal, SHA } from "../report/report-kit.ts";

async function setup(t: Parameters<typeof tempJournal>[0]) {
  const journal = tempJournal(t).open();
  const outbox = journal.statusOutbox;
  const { dispatchId, deliveryId } = await journalDelivery(journal, "github");
  const post = (fields: Partial<NewStatusPost> = {}): NewStatusPost => ({
    dispatchId, forge: "github", repo: "sbrl/wiki", sha: SHA, context: "laminar/wiki", job: "wiki",
    runNumber: 1, runState: "queued", state: "pending", description: "Laminar run #1 is queued", ...fields,
  });
  return { journal, outbox, post, deliveryId };
}

test("of two posts waiting for one commit and context only the newer is sent; the older is skipped", async (t) => {
  const { outbox, post, deliveryId } = await setup(t);
  outbox.enqueue(post(), 1000);
  const newer = outbox.enqueue(post({ runState: "success", state: "success" }), 1001);
  const claimed = outbox.claimDue(2000, 10);
  assert.deepEqual(claimed.map((p) => [p.id, p.state, p.attempt]), [[newer, "success", 1]]);
  const records = outbox.postsOfDelivery(deliveryId);
  assert.deepEqual(records.map((r) => r.status), ["skipped", "sending"]);
  assert.match(records[0]?.answerMessage ?? "", /newer state/);
});

test("a post in flight holds back the next state of its key until it is settled; other keys go", async (t) => {
  const { outbox, post } = await setup(t);
  const first = outbox.enqueue(post(), 1000);
  assert.deepEqual(outbox.claimDue(1000, 10).map((p) => p.id), [first]);
  const second = outbox.enqueue(post({ runState: "running", description: "running" }), 1001);
  const other = outbox.enqueue(post({ context: "laminar/docs" }), 1002);
  assert.deepEqual(outbox.claimDue(5000, 10).map((p) => p.id), [other]);
  // Nothing claimable is due: the timer must not spin on the post that waits for its key.
  assert.equal(outbox.nextDueTime(), null);
  outbox.record(first, { status: "pending", nextAttemptAt: 3000, answerStatus: 502, answerMessage: "Bad Gateway" }, 1500);
  // The first failed and waits for its retry, but a newer state is waiting: the newer one goes, the first is skipped.
  assert.deepEqual(outbox.claimDue(5000, 10).map((p) => p.id), [second]);
  assert.equal(outbox.waitingCount(), 2);
});

test("posts left in flight by a dead process are due again at start, their attempt still counted", async (t) => {
  const { outbox, post, deliveryId } = await setup(t);
  const id = outbox.enqueue(post(), 1000);
  outbox.claimDue(1000, 1);
  assert.equal(outbox.releaseSending(2000), 1);
  const [again] = outbox.claimDue(2000, 1);
  assert.equal(again?.id, id);
  assert.equal(again?.attempt, 2);
  outbox.record(id, { status: "pending", canceled: true, answerStatus: null, answerMessage: "cut short" }, 2100);
  assert.equal(outbox.postsOfDelivery(deliveryId)[0]?.attempts, 1);
});

test("a rate limit defers every waiting post of the forge", async (t) => {
  const { outbox, post } = await setup(t);
  outbox.enqueue(post(), 1000);
  outbox.enqueue(post({ context: "laminar/docs" }), 1000);
  outbox.enqueue(post({ forge: "gitea", context: "other" }), 1000);
  outbox.deferForge("github", 60_000);
  assert.deepEqual(outbox.claimDue(2000, 10).map((p) => p.forge), ["gitea"]);
  assert.equal(outbox.nextDueTime(), 60_000);
});

test("a post is kept or rolled back with the transaction that made it", async (t) => {
  const { journal, outbox, post } = await setup(t);
  assert.throws(() => journal.database.transaction(() => {
    outbox.enqueue(post(), 1000);
    throw new Error("the follower's own write failed");
  })());
  assert.equal(outbox.waitingCount(), 0);
  journal.database.transaction(() => outbox.enqueue(post(), 1000))();
  assert.equal(outbox.waitingCount(), 1);
});

test("the facts of a dispatch: its job, parameters and delivery's forge, repository and event", async (t) => {
  const { outbox, journal } = await setup(t);
  const { dispatchId, deliveryId } = await journalDelivery(journal, "gitlab", { tag: "v1" });
  assert.deepEqual(outbox.dispatchFacts(dispatchId), {
    deliveryId, job: "wiki", forge: "gitlab", repo: "sbrl/wiki", event: "push",
    params: { rev: SHA, ref: "refs/heads/master", branch: "master", repo: "sbrl/wiki", tag: "v1" },
  });
  assert.equal(outbox.dispatchFacts(9999), undefined);
});
