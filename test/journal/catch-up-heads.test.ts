// The journal's half of "one push, one build": whether a delivery's head was brought before is
// decided in the transaction that records it, for a webhook and for a push found by polling.

import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { join } from "node:path";
import { test } from "node:test";
import { EARLIER_POLLED_SQL } from "../../src/journal/catch-up-heads.ts";
import { openJournal, type DeliveryInput, type PushedHead } from "../../src/journal/index.ts";
import { delivery, job, tempDir } from "./journal-fixtures.ts";

const A = "a".repeat(40);
const T = "7".repeat(40);

function webhook(id: string, head: Partial<PushedHead> = {}, fields: Partial<DeliveryInput> = {}): DeliveryInput {
  return delivery({ deliveryId: id, head: { repo: "sbrl/wiki", ref: "refs/heads/master", shas: [A], polled: false, ...head }, ...fields });
}
function polled(head: Partial<PushedHead> = {}, fields: Partial<DeliveryInput> = {}): DeliveryInput {
  const full = { repo: "sbrl/wiki", ref: "refs/heads/master", shas: [A], polled: true, ...head };
  return delivery({ deliveryId: `poll:${full.repo}:${full.ref}:${full.shas[0]}`, sender: "laminar-hooks", head: full, ...fields });
}
function open(t: Parameters<typeof tempDir>[0]) {
  const journal = openJournal(join(tempDir(t), "journal.db"));
  t.after(() => journal.close());
  return journal;
}

test("the poll after a webhook of the same head keeps nothing and queues nothing", async (t) => {
  const journal = open(t);
  const first = await journal.commitDelivery(webhook("gh-1"));
  const poll = await journal.commitDelivery(polled());
  assert.deepEqual(poll, { id: first.id, duplicate: true, rerouted: false, dispatchIds: [], duplicateOf: { id: first.id, deliveryId: "gh-1" } });
  assert.equal(journal.getDelivery(polled().deliveryId), undefined);
  assert.equal(journal.pendingCount(), 1);
});

test("a webhook after the poll that built its head is kept without jobs, as a duplicate of it", async (t) => {
  const journal = open(t);
  const poll = await journal.commitDelivery(polled());
  const late = await journal.commitDelivery(webhook("gh-late"));
  assert.equal(late.duplicate, true);
  assert.deepEqual(late.dispatchIds, []);
  assert.deepEqual(late.duplicateOf, { id: poll.id, deliveryId: polled().deliveryId });
  const kept = journal.getDelivery("gh-late");
  assert.equal(kept?.dispatches.length, 0);
  assert.match(kept?.note ?? "", /built already from poll:sbrl\/wiki:refs\/heads\/master:a{40} \(journal id \d+\), found by polling/);
  assert.equal(journal.pendingCount(), 1);
  // GitHub redelivers with the same id: still no second build.
  assert.equal((await journal.commitDelivery(webhook("gh-late"))).duplicate, true);
  assert.equal(journal.pendingCount(), 1);
});

test("repository names compare without case; an annotated tag matches by its commit or its tag object", async (t) => {
  const journal = open(t);
  await journal.commitDelivery(polled({ repo: "SBRL/Wiki", ref: "refs/tags/v1", shas: [A, T] }));
  assert.equal((await journal.commitDelivery(webhook("tag-object", { ref: "refs/tags/v1", shas: [T] }))).duplicate, true);
  assert.equal((await journal.commitDelivery(webhook("tag-commit", { ref: "refs/tags/v1", shas: [A] }))).duplicate, true);
});

test("other refs, other repositories, and webhooks among themselves are not duplicates", async (t) => {
  const journal = open(t);
  await journal.commitDelivery(polled());
  assert.equal((await journal.commitDelivery(webhook("other-ref", { ref: "refs/heads/dev" }))).duplicate, false);
  assert.equal((await journal.commitDelivery(webhook("other-repo", { repo: "sbrl/other" }))).duplicate, false);
  await journal.commitDelivery(webhook("gh-a", { ref: "refs/heads/x" }));
  assert.equal((await journal.commitDelivery(webhook("gh-b", { ref: "refs/heads/x" }))).duplicate, false, "a forge's test delivery or a second hook builds");
});

test("a polled push that matched no job does not swallow its webhook (the config may have been fixed)", async (t) => {
  const journal = open(t);
  await journal.commitDelivery(polled({}, { jobs: [], trace: [] }));
  const hook = await journal.commitDelivery(webhook("gh-after-fix", {}, { jobs: [job("wiki")] }));
  assert.equal(hook.duplicate, false);
  assert.equal(hook.dispatchIds.length, 1);
});

test("a deletion or an event without a head is journaled as before", async (t) => {
  const journal = open(t);
  await journal.commitDelivery(polled());
  const { head: _head, ...without } = webhook("no-head");
  assert.equal((await journal.commitDelivery(without)).duplicate, false);
});

test("pruning the polled delivery forgets its heads", async (t) => {
  let now = 1_700_000_000_000;
  const dir = tempDir(t);
  const journal = openJournal(join(dir, "journal.db"), { now: () => now });
  t.after(() => journal.close());
  const poll = await journal.commitDelivery(polled());
  const [dispatchId] = poll.dispatchIds;
  journal.claimDue(now, 1);
  journal.recordAttempts([{ dispatchId: dispatchId!, result: {
    outcome: { kind: "queued", run: "wiki:1" }, exitCode: 0, signal: null, stdout: "wiki:1", stderr: "", durationMs: 5, timedOut: false,
  }, next: { status: "done" } }]);
  now += 40 * 86_400_000;
  assert.equal(await journal.prune(30 * 86_400_000), 1);
  const reader = new Database(join(dir, "journal.db"), { readonly: true });
  t.after(() => reader.close());
  assert.equal(reader.prepare("SELECT COUNT(*) FROM catch_up_heads").pluck().get(), 0);
  assert.equal((await journal.commitDelivery(webhook("much-later"))).duplicate, false);
});

test("a webhook's check reads only the polled heads, however often its head was delivered before", async (t) => {
  const dir = tempDir(t);
  const journal = openJournal(join(dir, "journal.db"));
  t.after(() => journal.close());
  for (let n = 0; n < 50; n++) await journal.commitDelivery(webhook(`copy-${n}`));
  const reader = new Database(join(dir, "journal.db"), { readonly: true });
  t.after(() => reader.close());
  const plan = reader.prepare(`EXPLAIN QUERY PLAN ${EARLIER_POLLED_SQL}`).all("sbrl/wiki", "refs/heads/master", JSON.stringify([A]), "x") as { detail: string }[];
  const heads = plan.find((step) => / h /.test(` ${step.detail} `));
  assert.match(heads?.detail ?? "", /USING COVERING INDEX catch_up_heads_polled \(repo=\? AND ref=\? AND sha=\?\)/, JSON.stringify(plan));
  // Still answers right: no polled delivery brought it, so no copy is a duplicate of another.
  assert.equal((await journal.commitDelivery(webhook("copy-last"))).duplicate, false);
});
