import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { JournalUnavailableError } from "../../src/errors.ts";
import { Journal } from "../../src/journal/journal.ts";
import { openJournal } from "../../src/journal/open-journal.ts";
import type { NextState } from "../../src/journal/journal-types.ts";
import type { AttemptResult } from "../../src/types.ts";
import { delivery, job, tempDir } from "./journal-fixtures.ts";

type Context = Parameters<typeof tempDir>[0];

/** A journal on a real file whose clock the test moves. */
function open(t: Context, start = 1_700_000_000_000) {
  const clock = { now: start };
  const path = join(tempDir(t), "journal.db");
  const journal = openJournal(path, { now: () => clock.now, busyTimeoutMs: 50 });
  t.after(() => journal.close());
  return { journal, clock, path };
}

/** Records one attempt through the dispatcher's batch write, which must keep it. */
function recordAttempt(journal: Journal, dispatchId: number, result: AttemptResult, next: NextState): void {
  assert.deepEqual(journal.recordAttempts([{ dispatchId, result, next }]), [undefined]);
}

function attempt(outcome: AttemptResult["outcome"], fields: Partial<AttemptResult> = {}): AttemptResult {
  const queued = outcome.kind === "queued";
  return {
    outcome,
    exitCode: queued ? 0 : 2,
    signal: null,
    stdout: queued ? `${outcome.run}` : "",
    stderr: queued ? "" : "connect(): Connection refused",
    durationMs: 18,
    timedOut: false,
    ...fields,
  };
}

test("records a delivery with one pending dispatch per job", async (t) => {
  const { journal, clock } = open(t);
  const result = await journal.commitDelivery(delivery({ jobs: [job("wiki", { rev: "abc" }), job("docs")] }));
  assert.equal(result.duplicate, false);
  assert.equal(result.rerouted, false);
  assert.equal(result.dispatchIds.length, 2);

  const summary = journal.findDelivery("github", delivery().deliveryId);
  assert.equal(summary?.id, result.id);
  assert.equal(summary?.dispatchCount, 2);
  assert.equal(summary?.status, "queued");
  assert.equal(journal.pendingCount(), 2);
  assert.equal(journal.nextDueTime(), clock.now);
  assert.equal(journal.findDelivery("gitea", delivery().deliveryId), undefined);
});

test("keeps useful headers and never a signature, token or authorization", async (t) => {
  const { journal } = open(t);
  const { id } = await journal.commitDelivery(
    delivery({
      headers: {
        "x-github-event": "push",
        "x-hub-signature-256": "sha256=abc",
        "X-Gitlab-Token": "secret",
        authorization: "Bearer x",
        "x-gitea-signature": "abc",
        "x-forwarded-for": ["192.0.2.1", "198.51.100.2"],
        "user-agent": "GitHub-Hookshot/1",
        "x-missing": undefined,
      },
    }),
  );
  assert.deepEqual(journal.getDelivery(id)?.headers, {
    "x-github-event": "push",
    "x-forwarded-for": ["192.0.2.1", "198.51.100.2"],
    "user-agent": "GitHub-Hookshot/1",
  });
});

test("the same delivery id again, whose first copy queued jobs, is a duplicate and changes nothing", async (t) => {
  const { journal, clock } = open(t);
  const first = await journal.commitDelivery(delivery());
  clock.now += 60_000;
  const again = await journal.commitDelivery(delivery({ receivedAt: clock.now, trace: [], jobs: [job("wiki"), job("other")] }));
  assert.deepEqual(again, { id: first.id, duplicate: true, rerouted: false, dispatchIds: [] });
  const detail = journal.getDelivery(first.id);
  assert.equal(detail?.dispatches.length, 1);
  assert.equal(detail?.receivedAt, delivery().receivedAt);
  assert.deepEqual(detail?.trace, delivery().trace);
});

test("the same delivery id again, whose first copy matched nothing, is routed again", async (t) => {
  const { journal, clock } = open(t);
  const nothing = [{ job: "wiki", matched: false, reason: 'branch "dev" matches none of master' }];
  const first = await journal.commitDelivery(delivery({ trace: nothing, jobs: [], note: "no job matched" }));
  assert.deepEqual(first.dispatchIds, []);
  assert.equal(journal.findDelivery("github", delivery().deliveryId)?.status, "ignored");

  // Still nothing after a first redelivery: the row is updated, not duplicated.
  clock.now += 1000;
  const second = await journal.commitDelivery(delivery({ receivedAt: clock.now, trace: nothing, jobs: [] }));
  assert.deepEqual(second, { id: first.id, duplicate: false, rerouted: true, dispatchIds: [] });

  // The config was fixed, Redeliver pressed: the same row, now with its job.
  clock.now += 1000;
  const fixed = await journal.commitDelivery(delivery({ receivedAt: clock.now }));
  assert.equal(fixed.id, first.id);
  assert.equal(fixed.duplicate, false);
  assert.equal(fixed.rerouted, true);
  assert.equal(fixed.dispatchIds.length, 1);
  const detail = journal.getDelivery(first.id);
  assert.equal(detail?.receivedAt, clock.now);
  assert.equal(detail?.status, "queued");
  assert.equal(detail?.note, null);
  assert.deepEqual(detail?.trace, delivery().trace);

  // And from now on it is a duplicate.
  assert.equal((await journal.commitDelivery(delivery())).duplicate, true);
  assert.equal(journal.listDeliveries().length, 1);
});

test("claimDue takes due pending dispatches up to the limit, oldest first, and counts the attempt", async (t) => {
  const { journal, clock } = open(t);
  const a = await journal.commitDelivery(delivery({ deliveryId: "a", jobs: [job("one"), job("two"), job("three")] }));
  const claimed = journal.claimDue(clock.now, 2);
  assert.deepEqual(
    claimed.map((c) => [c.id, c.attempt, c.deliveryId, c.request.job]),
    [
      [a.dispatchIds[0], 1, a.id, "one"],
      [a.dispatchIds[1], 1, a.id, "two"],
    ],
  );
  assert.deepEqual(claimed[0]?.request, job("one"));
  assert.equal(journal.pendingCount(), 1);
  assert.equal(journal.claimDue(clock.now, 5).length, 1);
  assert.equal(journal.claimDue(clock.now, 5).length, 0);
  assert.deepEqual(journal.claimDue(clock.now, 0), []);
});

test("recordAttempts: queued → done with the run; retry → pending when due; permanent → failed", async (t) => {
  const { journal, clock } = open(t);
  const { id, dispatchIds } = await journal.commitDelivery(delivery({ jobs: [job("one"), job("two"), job("three")] }));
  const [one, two, three] = dispatchIds as [number, number, number];
  journal.claimDue(clock.now, 3);

  clock.now += 100;
  recordAttempt(journal, one, attempt({ kind: "queued", run: "one:42" }), { status: "done" });
  recordAttempt(journal, two, attempt({ kind: "retry", message: "laminard is not running" }), { status: "pending", nextAttemptAt: clock.now + 2000 });
  recordAttempt(journal, three, attempt({ kind: "permanent", message: "unknown job" }, { stderr: "Failed to queue job 'three'" }), { status: "failed" });

  assert.equal(journal.nextDueTime(), clock.now + 2000);
  assert.deepEqual(journal.claimDue(clock.now + 1999, 5), []);
  const detail = journal.getDelivery(id);
  assert.deepEqual(
    detail?.dispatches.map((d) => [d.job, d.status, d.run, d.attempts, d.lastError]),
    [
      ["one", "done", "one:42", 1, null],
      ["two", "pending", null, 1, "laminard is not running"],
      ["three", "failed", null, 1, "unknown job"],
    ],
  );
  assert.deepEqual(detail?.dispatches[2]?.attemptLog.map((a) => [a.outcome, a.exitCode, a.stderr, a.message, a.durationMs, a.finishedAt - a.startedAt]), [
    ["permanent", 2, "Failed to queue job 'three'", "unknown job", 18, 18],
  ]);

  const [again] = journal.claimDue(clock.now + 2000, 5);
  assert.equal(again?.id, two);
  assert.equal(again?.attempt, 2);
  recordAttempt(journal, two, attempt({ kind: "retry", message: "still down" }), { status: "failed", error: "gave up after 2 attempts: still down" });
  const last = journal.getDelivery(id)?.dispatches[1];
  assert.equal(last?.lastError, "gave up after 2 attempts: still down");
  assert.equal(last?.attemptLog.length, 2);
  assert.equal(journal.getDelivery(id)?.status, "failed");
});

test("a canceled attempt is logged but not counted, and keeps the last error", async (t) => {
  const { journal, clock } = open(t);
  const { id, dispatchIds } = await journal.commitDelivery(delivery());
  const dispatch = dispatchIds[0] ?? 0;
  journal.claimDue(clock.now, 1);
  recordAttempt(journal, dispatch, attempt({ kind: "retry", message: "refused" }), { status: "pending", nextAttemptAt: clock.now });
  journal.claimDue(clock.now, 1);
  recordAttempt(journal, dispatch, attempt({ kind: "retry", message: "laminarc was stopped" }, { signal: "SIGKILL", exitCode: null }), {
    status: "pending",
    nextAttemptAt: clock.now,
    canceled: true,
  });
  const detail = journal.getDelivery(id)?.dispatches[0];
  assert.equal(detail?.status, "pending");
  assert.equal(detail?.attempts, 1);
  assert.equal(detail?.lastError, "refused");
  assert.deepEqual(detail?.attemptLog.map((a) => a.outcome), ["retry", "canceled"]);
  assert.equal(journal.claimDue(clock.now, 1)[0]?.attempt, 2);
});

test("releaseRunning puts dispatches in flight at a crash back to pending, due now", async (t) => {
  const { journal, clock, path } = open(t);
  await journal.commitDelivery(delivery({ jobs: [job("one"), job("two")] }));
  journal.claimDue(clock.now, 1);
  await journal.close();

  const reopened = openJournal(path, { now: () => clock.now + 5000 });
  t.after(() => reopened.close());
  assert.equal(reopened.pendingCount(), 1);
  assert.equal(reopened.releaseRunning(), 1);
  assert.equal(reopened.pendingCount(), 2);
  const [claimed] = reopened.claimDue(clock.now + 5000, 1);
  assert.equal(claimed?.request.job, "one");
  assert.equal(claimed?.attempt, 2, "the attempt in flight at the crash stays counted");
  assert.equal(reopened.releaseRunning(), 1);
  assert.equal(reopened.releaseRunning(), 0);
});

test("a dispatch is in doubt from the start of its earliest attempt with an unknown outcome until one is known", async (t) => {
  const { journal, clock, path } = open(t);
  await journal.commitDelivery(delivery({ jobs: [job("one")] }));
  const due = () => journal.claimDue(clock.now, 1)[0];
  let claimed = due();
  assert.equal(claimed?.doubtSince, undefined);
  const timedOut = attempt({ kind: "retry", message: "did not answer", unknown: true }, { durationMs: 1000 });
  recordAttempt(journal, claimed!.id, timedOut, { status: "pending", nextAttemptAt: clock.now, doubt: "set" });
  claimed = due();
  assert.equal(claimed?.doubtSince, clock.now - 1000, "from when the attempt started");
  // laminard could not be asked: the doubt stays; another unknown outcome keeps the earliest start.
  clock.now += 5000;
  recordAttempt(journal, claimed!.id, attempt({ kind: "retry", message: "laminard unreachable" }), { status: "pending", nextAttemptAt: clock.now, doubt: "keep" });
  claimed = due();
  recordAttempt(journal, claimed!.id, timedOut, { status: "pending", nextAttemptAt: clock.now, doubt: "set" });
  claimed = due();
  assert.equal(claimed?.doubtSince, clock.now - 5000 - 1000);
  // A known outcome ends it.
  recordAttempt(journal, claimed!.id, attempt({ kind: "retry", message: "refused" }), { status: "pending", nextAttemptAt: clock.now });
  claimed = due();
  assert.equal(claimed?.doubtSince, undefined);
  // Killed while in flight: in doubt from its claim.
  const claimedAt = clock.now;
  await journal.close();
  const reopened = openJournal(path, { now: () => clock.now + 5000 });
  t.after(() => reopened.close());
  assert.equal(reopened.releaseRunning(), 1);
  assert.equal(reopened.claimDue(clock.now + 5000, 1)[0]?.doubtSince, claimedAt);
});

test("listDeliveries: newest first, with jobs, status and run; filtered by status", async (t) => {
  const { journal, clock } = open(t);
  const ignored = await journal.commitDelivery(delivery({ deliveryId: "d1", receivedAt: 1000, jobs: [] }));
  const done = await journal.commitDelivery(delivery({ deliveryId: "d2", receivedAt: 2000, jobs: [job("a"), job("b")] }));
  const failed = await journal.commitDelivery(delivery({ deliveryId: "d3", receivedAt: 3000, jobs: [job("a"), job("c")] }));
  const queued = await journal.commitDelivery(delivery({ deliveryId: "d4", receivedAt: 4000 }));
  for (const claimed of journal.claimDue(clock.now, 4)) {
    if (claimed.deliveryId === queued.id) continue;
    const run = `${claimed.request.job}:${claimed.id}`;
    if (claimed.request.job === "c") recordAttempt(journal, claimed.id, attempt({ kind: "permanent", message: "unknown job" }), { status: "failed" });
    else recordAttempt(journal, claimed.id, attempt({ kind: "queued", run }), { status: "done" });
  }

  const all = journal.listDeliveries();
  assert.deepEqual(
    all.map((d) => [d.deliveryId, d.status]),
    [
      ["d4", "queued"],
      ["d3", "failed"],
      ["d2", "done"],
      ["d1", "ignored"],
    ],
  );
  assert.deepEqual(
    all[2]?.jobs.map((j) => [j.job, j.status, j.run]),
    [
      ["a", "done", `a:${done.dispatchIds[0]}`],
      ["b", "done", `b:${done.dispatchIds[1]}`],
    ],
  );
  assert.deepEqual(all[3]?.jobs, []);
  assert.deepEqual(journal.listDeliveries({ limit: 2 }).map((d) => d.id), [queued.id, failed.id]);
  assert.deepEqual(journal.listDeliveries({ status: "failed" }).map((d) => d.id), [failed.id]);
  assert.deepEqual(journal.listDeliveries({ status: "ignored" }).map((d) => d.id), [ignored.id]);
  assert.deepEqual(journal.listDeliveries({ status: "queued" }).map((d) => d.id), [queued.id]);
});

test("getDelivery by journal id, by digits, or by the forge's delivery id", async (t) => {
  const { journal } = open(t);
  const uuid = await journal.commitDelivery(delivery({ deliveryId: "72d3162e-cc78" }));
  const digits = await journal.commitDelivery(delivery({ deliveryId: "123456", forge: "gitlab" }));
  assert.equal(journal.getDelivery(uuid.id)?.deliveryId, "72d3162e-cc78");
  assert.equal(journal.getDelivery(String(digits.id))?.deliveryId, "123456");
  assert.equal(journal.getDelivery("72d3162e-cc78")?.id, uuid.id);
  assert.equal(journal.getDelivery("123456")?.id, digits.id, "digits that are no journal id are a delivery id");
  assert.equal(journal.getDelivery(999), undefined);
  assert.equal(journal.getDelivery("nope"), undefined);

  const detail = journal.getDelivery(uuid.id);
  assert.equal(detail?.payload, delivery().payload);
  assert.equal(detail?.remoteAddress, "192.0.2.7");
  assert.equal(detail?.repo, "sbrl/wiki");
  assert.deepEqual(detail?.dispatches[0]?.params, { rev: "3f2c1a9", branch: "master" });
  assert.equal(detail?.dispatches[0]?.reason, job("wiki").reason);
});

test("addDispatches (redeliver) adds jobs to a kept delivery with the new trace", async (t) => {
  const { journal } = open(t);
  const { id } = await journal.commitDelivery(delivery({ jobs: [], trace: [] }));
  const trace = [{ job: "wiki", matched: true, reason: "now it matches" }];
  const ids = journal.addDispatches(id, [job("wiki")], trace);
  assert.equal(ids.length, 1);
  const detail = journal.getDelivery(id);
  assert.equal(detail?.status, "queued");
  assert.deepEqual(detail?.trace, trace);
  assert.equal(journal.addDispatches(id, [job("again")], trace).length, 1);
  assert.equal(journal.getDelivery(id)?.dispatches.length, 2);
  assert.throws(() => journal.addDispatches(9999, [job("x")], trace), /no delivery with id 9999/);
});

test("prune deletes old deliveries whose jobs are all settled, with their dispatches and attempts", async (t) => {
  const { journal, clock, path } = open(t);
  const day = 86_400_000;
  const oldDone = await journal.commitDelivery(delivery({ deliveryId: "old-done", receivedAt: clock.now - 40 * day }));
  await journal.commitDelivery(delivery({ deliveryId: "old-ignored", receivedAt: clock.now - 40 * day, jobs: [] }));
  const oldPending = await journal.commitDelivery(delivery({ deliveryId: "old-pending", receivedAt: clock.now - 40 * day }));
  await journal.commitDelivery(delivery({ deliveryId: "recent", receivedAt: clock.now - day, jobs: [] }));
  const [claimed] = journal.claimDue(clock.now, 1);
  assert.equal(claimed?.deliveryId, oldDone.id);
  recordAttempt(journal, claimed.id, attempt({ kind: "queued", run: "wiki:1" }), { status: "done" });

  assert.equal(await journal.prune(30 * day), 2);
  assert.deepEqual(journal.listDeliveries().map((d) => d.deliveryId).sort(), ["old-pending", "recent"]);
  assert.equal(journal.getDelivery(oldPending.id)?.dispatches.length, 1);
  const db = new Database(path, { readonly: true });
  t.after(() => db.close());
  assert.equal(db.prepare("SELECT COUNT(*) FROM attempts").pluck().get(), 0);
  assert.equal(db.prepare("SELECT COUNT(*) FROM dispatches").pluck().get(), 1);
});

test("a full disk is JournalUnavailableError, keeps nothing half-written, and passes when space returns", async (t) => {
  const path = join(tempDir(t), "journal.db");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  const journal = new Journal(db);
  t.after(() => journal.close());
  await journal.commitDelivery(delivery({ deliveryId: "before" }));
  // SQLite's own size cap gives the same SQLITE_FULL a full disk does.
  const pages = db.pragma("page_count", { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);

  const big = delivery({ deliveryId: "too-big", payload: JSON.stringify({ blob: "x".repeat(200_000) }), jobs: [job("a"), job("b")] });
  await assert.rejects(journal.commitDelivery(big), (error: unknown) => {
    assert.ok(error instanceof JournalUnavailableError);
    assert.equal(error.status, 503);
    assert.match(String((error.cause as Error).message), /full/i);
    return true;
  });
  assert.equal(journal.findDelivery("github", "too-big"), undefined);
  assert.equal(journal.pendingCount(), 1);
  assert.equal(journal.isWritable(), false, "/readyz sees there is no room");

  db.pragma("max_page_count = 1073741823");
  assert.equal(journal.isWritable(), true);
  assert.equal((await journal.commitDelivery(big)).dispatchIds.length, 2);
});

test("a read-only journal is JournalUnavailableError and not writable", async (t) => {
  const path = join(tempDir(t), "journal.db");
  await openJournal(path).close();
  // Opened read-only, as when the file or its folder cannot be written (root ignores chmod).
  const journal = new Journal(new Database(path, { readonly: true }));
  t.after(() => journal.close());
  assert.equal(journal.isWritable(), false);
  await assert.rejects(journal.commitDelivery(delivery()), JournalUnavailableError);
  assert.throws(() => journal.claimDue(Date.now(), 1), JournalUnavailableError);
  assert.equal(journal.listDeliveries().length, 0, "reading still works");
});

test("a journal locked by another process is JournalUnavailableError after the busy timeout", async (t) => {
  const { journal, path } = open(t);
  assert.equal(journal.isWritable(), true);
  const other = new Database(path);
  t.after(() => other.close());
  other.exec("BEGIN EXCLUSIVE");
  assert.equal(journal.isWritable(), false);
  await assert.rejects(journal.commitDelivery(delivery()), (error: unknown) => {
    assert.ok(error instanceof JournalUnavailableError);
    assert.equal((error.cause as { code?: string }).code, "SQLITE_BUSY");
    return true;
  });
  other.exec("ROLLBACK");
  assert.equal(journal.isWritable(), true);
  assert.equal((await journal.commitDelivery(delivery())).duplicate, false);
});

test("a closed journal is JournalUnavailableError", async (t) => {
  const { journal } = open(t);
  await journal.close();
  assert.equal(journal.isWritable(), false);
  await assert.rejects(journal.commitDelivery(delivery()), JournalUnavailableError);
  assert.throws(() => journal.nextDueTime(), JournalUnavailableError);
});
