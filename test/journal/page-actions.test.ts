import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openJournal } from "../../src/journal/index.ts";
import { delivery, job, tempDir } from "./journal-fixtures.ts";

const actor = (once: string, at = 1_700_000_100_000) => ({ once, at, user: "admin", address: "192.0.2.9" });

test("a rebuild is a new pending dispatch of the same job and parameters, with its reason; the same form again makes nothing", async (t) => {
  const journal = openJournal(join(tempDir(t), "journal.db"));
  t.after(() => journal.close());
  const kept = await journal.commitDelivery(delivery());
  const [source] = kept.dispatchIds;
  const first = journal.actions.rebuild(actor("form-1-aaaaaaaaaaaa"), source!, (id) => `Rebuild of delivery ${id} by admin`);
  assert.equal(first?.kind, "done");
  const again = journal.actions.rebuild(actor("form-1-aaaaaaaaaaaa"), source!, () => "never used");
  assert.deepEqual(again, { kind: "repeated", action: first!.action });
  const dispatches = journal.getDelivery(kept.id)!.dispatches;
  assert.equal(dispatches.length, 2);
  assert.deepEqual(dispatches[1]!.params, dispatches[0]!.params);
  assert.equal(dispatches[1]!.status, "pending");
  assert.equal(dispatches[1]!.reason, `Rebuild of delivery ${kept.id} by admin`);
  assert.deepEqual(journal.actions.ofDelivery(kept.id).map((action) => [action.action, action.user, action.address, action.dispatchId, action.madeDispatchId]),
    [["rebuild", "admin", "192.0.2.9", source, dispatches[1]!.id]]);
  assert.equal(journal.actions.rebuild(actor("form-2-aaaaaaaaaaaa"), 9999, () => ""), undefined, "no such dispatch");
});

test("an abort waits for its run, is sent once, and tells the person's action what came of it", async (t) => {
  const journal = openJournal(join(tempDir(t), "journal.db"));
  t.after(() => journal.close());
  const kept = await journal.commitDelivery(delivery());
  const [dispatch] = kept.dispatchIds;
  journal.actions.abort(actor("abort-1-aaaaaaaaaaa"), dispatch!, "abort of wiki as soon as it starts", "waiting for the run to start");
  assert.deepEqual(journal.actions.waitingAborts(), [dispatch]);
  assert.equal(journal.actions.supersede(dispatch!, "f".repeat(40), 0), false, "one abort a dispatch: the first reason stays");
  journal.actions.abortSent(dispatch!, "sent", "laminarc abort wiki:3: aborted");
  assert.equal(journal.actions.abortOf(dispatch!)?.state, "sent");
  assert.deepEqual(journal.actions.waitingAborts(), []);
  assert.equal(journal.actions.ofDelivery(kept.id)[0]!.outcome, "laminarc abort wiki:3: aborted");
});

test("a manual build is a delivery of its own (forge event manual) with one dispatch, and prune takes its actions with it", async (t) => {
  const journal = openJournal(join(tempDir(t), "journal.db"));
  t.after(() => journal.close());
  const made = journal.actions.build(actor("build-1-aaaaaaaaaaa", 1_000), {
    forge: "github", deliveryId: "manual:build-1-aaaaaaaaaaa", repo: "sbrl/wiki", ref: "refs/heads/dev", payload: "{}", note: "built by admin",
  }, (id) => job("wiki", { rev: "abc", event: "manual", delivery: String(id) }));
  assert.equal(made.kind, "done");
  const detail = journal.getDelivery("manual:build-1-aaaaaaaaaaa")!;
  assert.equal(detail.forgeEvent, "manual");
  assert.equal(detail.dispatches.length, 1);
  assert.equal(detail.dispatches[0]!.params.event, "manual");
  assert.equal(journal.actions.build(actor("build-1-aaaaaaaaaaa"), { forge: "github", deliveryId: "manual:x", repo: "r", ref: "r", payload: "{}", note: "" },
    () => job("never")).kind, "repeated");
  assert.equal(journal.listDeliveries().length, 1, "the repeated form made no delivery");
  assert.deepEqual(journal.actions.lastSeen("SBRL/wiki"), { forge: "github" });
  // Its clone URL is never the "last delivery's" a later build is resolved with (it may be the API root's guess).
  journal.actions.build(actor("build-2-aaaaaaaaaaa", 2_000), {
    forge: "github", deliveryId: "manual:build-2-aaaaaaaaaaa", repo: "sbrl/wiki", ref: "refs/heads/dev", payload: "{}", note: "built by admin",
  }, (id) => job("wiki", { rev: "abc", event: "manual", clone_url: "https://github.com/sbrl/wiki.git", delivery: String(id) }));
  assert.deepEqual(journal.actions.lastSeen("sbrl/wiki"), { forge: "github" });
  // Its dispatch settles, and retention takes the delivery and what was done to it.
  const [claimed] = journal.claimDue(Date.now(), 1);
  journal.recordAttempts([{
    dispatchId: claimed!.id,
    result: { outcome: { kind: "permanent", message: "no such job" }, exitCode: 1, signal: null, stdout: "", stderr: "", durationMs: 1, timedOut: false },
    next: { status: "failed" },
  }]);
  assert.equal(await journal.prune(0), 1);
  assert.deepEqual(journal.actions.ofDelivery(detail.id), []);
});

test("the dispatches a newer push may supersede: the job's open ones of earlier deliveries, not a rebuild's own delivery", async (t) => {
  const journal = openJournal(join(tempDir(t), "journal.db"));
  t.after(() => journal.close());
  const first = await journal.commitDelivery(delivery({ deliveryId: "one", jobs: [job("wiki", { rev: "a", branch: "master" })] }));
  const second = await journal.commitDelivery(delivery({ deliveryId: "two", jobs: [job("wiki", { rev: "b", branch: "master" }), job("docs")] }));
  const rebuild = journal.actions.rebuild(actor("rebuild-of-first-aa"), first.dispatchIds[0]!, () => "Rebuild of delivery 1 by admin")!;
  const rebuilt = rebuild.action.madeDispatchId!;
  assert.deepEqual(journal.actions.olderOpen(second.dispatchIds[0]!, "wiki").map((open) => [open.id, open.params.rev, open.runState]),
    [[first.dispatchIds[0], "a", null], [rebuilt, "a", null]], "the first push and its rebuild");
  assert.deepEqual(journal.actions.olderOpen(rebuilt, "wiki"), [], "a rebuild of the first push is no newer push than the second");
  journal.actions.supersede(first.dispatchIds[0]!, "b".repeat(40), 0);
  assert.deepEqual(journal.actions.olderOpen(second.dispatchIds[0]!, "wiki").map((open) => open.id), [rebuilt], "one marked already");
});
