// The journal's half of "one push, one build": whether a delivery's push was built before is
// decided in the transaction that records it, for webhooks among themselves (another hook, a
// Replay, a test delivery, a body sent again under a new id) and for a push found by polling.

import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { join } from "node:path";
import { test } from "node:test";
import { EARLIER_BUILT_SQL } from "../../src/journal/catch-up-heads.ts";
import { MIGRATIONS } from "../../src/journal/migrations.ts";
import { openJournal, type DeliveryInput, type Journal, type PushedHead } from "../../src/journal/index.ts";
import { delivery, job, tempDir } from "./journal-fixtures.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const T = "7".repeat(40);

/** A push webhook of master from B to A, unless told otherwise. */
function webhook(id: string, head: Partial<PushedHead> = {}, fields: Partial<DeliveryInput> = {}): DeliveryInput {
  return delivery({ deliveryId: id, head: { repo: "sbrl/wiki", ref: "refs/heads/master", shas: [A], polled: false, since: B, ...head }, ...fields });
}
function polled(head: Partial<PushedHead> = {}, fields: Partial<DeliveryInput> = {}): DeliveryInput {
  const full = { repo: "sbrl/wiki", ref: "refs/heads/master", shas: [A], polled: true, since: "", ...head };
  return delivery({ deliveryId: `poll:${full.repo}:${full.ref}:${full.shas[0]}`, sender: "laminar-hooks", head: full, ...fields });
}
function pullRequest(id: string, action: string, sha = A, number = 7): DeliveryInput {
  const ref = `refs/pull/${number}/head`;
  return delivery({ deliveryId: id, kind: "pull_request", action, ref, head: { repo: "sbrl/wiki", ref, shas: [sha], polled: false, since: `pull_request ${action}` } });
}
function open(t: Parameters<typeof tempDir>[0], path = join(tempDir(t), "journal.db")) {
  const journal = openJournal(path);
  t.after(() => journal.close());
  return journal;
}
/** Records one attempt of each of the delivery's dispatches that ends it for good, as an unknown job does. */
function failForGood(journal: Journal, dispatchIds: readonly number[]): void {
  const claimed = journal.claimDue(Date.now() + 1_000, 100).filter((c) => dispatchIds.includes(c.id));
  journal.recordAttempts(claimed.map((c) => ({ dispatchId: c.id, result: {
    outcome: { kind: "permanent", message: "laminarc: Failed to queue job" }, exitCode: 1, signal: null,
    stdout: "", stderr: "Failed to queue job", durationMs: 5, timedOut: false,
  }, next: { status: "failed" } })));
}

test("the poll after a webhook of the same head keeps nothing and queues nothing", async (t) => {
  const journal = open(t);
  const first = await journal.commitDelivery(webhook("gh-1"));
  const poll = await journal.commitDelivery(polled());
  assert.deepEqual(poll, { id: first.id, duplicate: true, rerouted: false, dispatchIds: [], duplicateOf: { id: first.id, deliveryId: "gh-1", polled: false } });
  assert.equal(journal.getDelivery(polled().deliveryId), undefined);
  assert.equal(journal.pendingCount(), 1);
});

test("a webhook after the poll that built its head is kept without jobs, as a duplicate of it", async (t) => {
  const journal = open(t);
  const poll = await journal.commitDelivery(polled());
  const late = await journal.commitDelivery(webhook("gh-late"));
  assert.equal(late.duplicate, true);
  assert.deepEqual(late.dispatchIds, []);
  assert.deepEqual(late.duplicateOf, { id: poll.id, deliveryId: polled().deliveryId, polled: true });
  const kept = journal.getDelivery("gh-late");
  assert.equal(kept?.dispatches.length, 0);
  assert.match(kept?.note ?? "", /built already from poll:sbrl\/wiki:refs\/heads\/master:a{40} \(journal id \d+\), found by polling/);
  assert.match(kept?.note ?? "", new RegExp(`laminar-hooks redeliver ${poll.id}$`));
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

test("the same push under another delivery id (a second hook, a Replay, a body sent again) builds once", async (t) => {
  const journal = open(t);
  const first = await journal.commitDelivery(webhook("org-hook"));
  const copy = await journal.commitDelivery(webhook("repo-hook", { repo: "SBRL/wiki" }));
  assert.deepEqual(copy.duplicateOf, { id: first.id, deliveryId: "org-hook", polled: false });
  assert.deepEqual(copy.dispatchIds, []);
  const kept = journal.getDelivery("repo-hook");
  assert.equal(kept?.status, "ignored");
  assert.equal(kept?.note, `duplicate: this push was built already from org-hook (journal id ${first.id}); to build it again on purpose: laminar-hooks redeliver ${first.id}`);
  assert.equal(journal.pendingCount(), 1);
});

test("other refs, other repositories, and a force-push back to an earlier head build", async (t) => {
  const journal = open(t);
  await journal.commitDelivery(webhook("first"));
  assert.equal((await journal.commitDelivery(webhook("other-ref", { ref: "refs/heads/dev" }))).duplicate, false);
  assert.equal((await journal.commitDelivery(webhook("other-repo", { repo: "sbrl/other" }))).duplicate, false);
  // master went A → T, then was force-pushed back T → A: the branch moved, its user expects a build.
  await journal.commitDelivery(webhook("moved-on", { shas: [T], since: A }));
  assert.equal((await journal.commitDelivery(webhook("forced-back", { shas: [A], since: T }))).duplicate, false);
  assert.equal(journal.pendingCount(), 5);
});

test("a test delivery (before == after) of a head built on that ref is a copy; of a head never built, it builds", async (t) => {
  const journal = open(t);
  const real = await journal.commitDelivery(webhook("real-push"));
  const tested = await journal.commitDelivery(webhook("test-delivery", { since: A }));
  assert.deepEqual(tested.duplicateOf, { id: real.id, deliveryId: "real-push", polled: false });
  // Of a head a poll built: a copy too.
  await journal.commitDelivery(polled({ ref: "refs/heads/dev", shas: [B] }));
  assert.equal((await journal.commitDelivery(webhook("test-dev", { ref: "refs/heads/dev", shas: [B], since: B }))).duplicate, true);
  // A fresh hook's test of a head nothing built builds (the check of the whole chain); the next test is its copy.
  const fresh = await journal.commitDelivery(webhook("fresh-test", { ref: "refs/heads/next", shas: [T], since: T }));
  assert.equal(fresh.dispatchIds.length, 1);
  assert.equal((await journal.commitDelivery(webhook("fresh-test-2", { ref: "refs/heads/next", shas: [T], since: T }))).duplicateOf?.id, fresh.id);
});

test("pull requests: opened and synchronize of one head each build, two synchronize of it are one", async (t) => {
  const journal = open(t);
  assert.equal((await journal.commitDelivery(pullRequest("pr-opened", "opened"))).duplicate, false);
  const sync = await journal.commitDelivery(pullRequest("pr-sync", "synchronize"));
  assert.equal(sync.duplicate, false);
  assert.equal((await journal.commitDelivery(pullRequest("pr-sync-copy", "synchronize"))).duplicateOf?.id, sync.id);
  assert.equal((await journal.commitDelivery(pullRequest("pr-sync-new-head", "synchronize", B))).duplicate, false);
  assert.equal((await journal.commitDelivery(pullRequest("pr-8", "synchronize", A, 8))).duplicate, false);
  assert.equal(journal.pendingCount(), 4);
});

test("a delivery that matched no job claims nothing: its copy after the config was fixed builds", async (t) => {
  const journal = open(t);
  await journal.commitDelivery(webhook("before-fix", {}, { jobs: [], trace: [] }));
  const fixed = await journal.commitDelivery(webhook("after-fix"));
  assert.equal(fixed.duplicate, false);
  assert.equal(fixed.dispatchIds.length, 1);
  // A copy that matches nothing now is journaled as it is, with its trace, not as a duplicate.
  const unmatched = await journal.commitDelivery(webhook("after-unfix", {}, { jobs: [], trace: [] }));
  assert.equal(unmatched.duplicate, false);
  assert.equal(journal.getDelivery("after-unfix")?.note, null);
});

test("a polled push that matched no job does not swallow its webhook (the config may have been fixed)", async (t) => {
  const journal = open(t);
  await journal.commitDelivery(polled({}, { jobs: [], trace: [] }));
  const hook = await journal.commitDelivery(webhook("gh-after-fix", {}, { jobs: [job("wiki")] }));
  assert.equal(hook.duplicate, false);
  assert.equal(hook.dispatchIds.length, 1);
});

test("a push whose every job failed for good is built by its next copy; one with a job done is not", async (t) => {
  const journal = open(t);
  const unknown = await journal.commitDelivery(webhook("unknown-job"));
  failForGood(journal, unknown.dispatchIds);
  assert.equal(journal.getDelivery("unknown-job")?.status, "failed");
  const replay = await journal.commitDelivery(webhook("replay-after-fix"));
  assert.equal(replay.duplicate, false, "nothing of the first reached Laminar");
  assert.equal((await journal.commitDelivery(webhook("replay-again"))).duplicateOf?.id, replay.id);

  const two = await journal.commitDelivery(webhook("two-jobs", { ref: "refs/heads/dev" }, { jobs: [job("wiki"), job("docs")] }));
  failForGood(journal, two.dispatchIds.slice(0, 1));
  assert.equal((await journal.commitDelivery(webhook("two-jobs-copy", { ref: "refs/heads/dev" }))).duplicateOf?.id, two.id);
});

test("redeliver (addDispatches) builds a copy again, and makes a delivery that matched nothing claim its push", async (t) => {
  const journal = open(t);
  await journal.commitDelivery(webhook("built"));
  const copy = await journal.commitDelivery(webhook("copy"));
  assert.equal(journal.addDispatches(copy.id, [job("wiki")], []).length, 1);
  assert.equal(journal.pendingCount(), 2);

  const unmatched = await journal.commitDelivery(webhook("unmatched", { ref: "refs/heads/dev" }, { jobs: [], trace: [] }));
  journal.addDispatches(unmatched.id, [job("wiki")], []);
  assert.equal((await journal.commitDelivery(webhook("after-redeliver", { ref: "refs/heads/dev" }))).duplicateOf?.id, unmatched.id);
});

test("two copies in one transaction: the first builds, the second is its duplicate", async (t) => {
  const journal = open(t);
  // Asked in the same turn: group commit records both in one transaction.
  const [one, two] = await Promise.all([journal.commitDelivery(webhook("same-turn-1")), journal.commitDelivery(webhook("same-turn-2"))]);
  assert.equal(one?.duplicate, false);
  assert.equal(two?.duplicateOf?.id, one?.id);
  assert.equal(journal.pendingCount(), 1);
});

test("the claim is in the journal: a copy after a reopen is still a duplicate", async (t) => {
  const path = join(tempDir(t), "journal.db");
  const first = openJournal(path);
  const built = await first.commitDelivery(webhook("before-restart"));
  first.close();
  const journal = open(t, path);
  assert.equal((await journal.commitDelivery(webhook("after-restart"))).duplicateOf?.id, built.id);
});

test("a deletion or an event without a head is journaled as before", async (t) => {
  const journal = open(t);
  await journal.commitDelivery(polled());
  const { head: _head, ...without } = webhook("no-head");
  assert.equal((await journal.commitDelivery(without)).duplicate, false);
});

test("pruning the building delivery forgets its heads", async (t) => {
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

test("a copy's check reads one row per build of its head, however often the push was delivered", async (t) => {
  const dir = tempDir(t);
  const journal = openJournal(join(dir, "journal.db"));
  t.after(() => journal.close());
  for (let n = 0; n < 50; n++) await journal.commitDelivery(webhook(`copy-${n}`));
  const reader = new Database(join(dir, "journal.db"), { readonly: true });
  t.after(() => reader.close());
  const plan = reader.prepare(`EXPLAIN QUERY PLAN ${EARLIER_BUILT_SQL}`)
    .all({ repo: "sbrl/wiki", ref: "refs/heads/master", shas: JSON.stringify([A]), since: B, deliveryId: "x" }) as { detail: string }[];
  const heads = plan.find((step) => / h /.test(` ${step.detail} `));
  assert.match(heads?.detail ?? "", /USING INDEX catch_up_heads_built \(repo=\? AND ref=\? AND sha=\?\)/, JSON.stringify(plan));
  // The copies claimed nothing: the first delivery's row is the only one.
  assert.equal(reader.prepare("SELECT COUNT(*) FROM catch_up_heads").pluck().get(), 1);
  assert.equal(journal.pendingCount(), 1);
});

test("a journal of schema version 6 keeps its claims: a webhook's before from its payload, built when it queued", async (t) => {
  const path = join(tempDir(t), "journal.db");
  const old = new Database(path);
  old.exec(MIGRATIONS.slice(0, 6).join(";\n"));
  old.pragma("user_version = 6");
  const insert = old.prepare(`INSERT INTO deliveries (id, forge, delivery_id, received_at, forge_event, kind, payload) VALUES (?, 'github', ?, 1000, 'push', 'push', ?)`);
  insert.run(1, "old-built", JSON.stringify({ before: B, after: A }));
  insert.run(2, "old-unmatched", JSON.stringify({ before: B, after: T }));
  insert.run(3, "old-form", "not json");
  old.prepare(`INSERT INTO dispatches (delivery, job, params, host, reason, status, next_attempt_at, created_at, updated_at)
    VALUES (1, 'wiki', '{}', 'unix-abstract:laminar', 'push', 'done', 1000, 1000, 1000)`).run();
  const head = old.prepare(`INSERT INTO catch_up_heads (repo, ref, sha, delivery, polled) VALUES ('sbrl/wiki', 'refs/heads/master', ?, ?, 0)`);
  head.run(A, 1);
  head.run(T, 2);
  head.run(B, 3);
  old.close();

  const journal = open(t, path);
  assert.equal((await journal.commitDelivery(webhook("new-copy"))).duplicateOf?.deliveryId, "old-built");
  assert.equal((await journal.commitDelivery(webhook("new-of-unmatched", { shas: [T] }))).duplicate, false);
  assert.equal((await journal.commitDelivery(webhook("new-of-form", { shas: [B], since: A }))).duplicate, false);
});
