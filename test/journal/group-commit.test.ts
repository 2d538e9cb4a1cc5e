// Group commit (src/journal/group-commit.ts through Journal.commitDelivery):
// the deliveries of one event-loop turn share one durable transaction, each keeping its own
// outcome, and nothing is answered before its transaction (and, in the background mode, the WAL
// sync) is done.
import assert from "node:assert/strict";
import { fdatasync } from "node:fs";
import { promisify } from "node:util";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { JournalUnavailableError } from "../../src/errors.ts";
import { GroupCommit } from "../../src/journal/group-commit.ts";
import { Journal } from "../../src/journal/journal.ts";
import { openJournal } from "../../src/journal/open-journal.ts";
import { delivery, job, tempDir, walCommits } from "./journal-fixtures.ts";

const realFdatasync = promisify(fdatasync);

type Context = Parameters<typeof tempDir>[0];

for (const syncInBackground of [false, true]) {
  const mode = syncInBackground ? "WAL synced in the background" : "synchronous = FULL";

  test(`${mode}: the deliveries of one turn are committed together, each with its own result`, async (t) => {
    const path = join(tempDir(t), "journal.db");
    let syncs = 0;
    const journal = openJournal(path, { syncInBackground, fdatasync: (fd) => ((syncs += 1), realFdatasync(fd)) });
    t.after(() => journal.close());
    const before = walCommits(path);
    const results = await Promise.all([
      journal.commitDelivery(delivery({ deliveryId: "a" })),
      journal.commitDelivery(delivery({ deliveryId: "b", jobs: [job("x"), job("y")] })),
      journal.commitDelivery(delivery({ deliveryId: "c", jobs: [] })),
    ]);
    assert.equal(walCommits(path) - before, 1, "one transaction for the turn");
    assert.equal(syncs, syncInBackground ? 1 : 0, "one sync for the turn, and only in the background mode");
    assert.deepEqual(results.map((r) => [r.duplicate, r.dispatchIds.length]), [[false, 1], [false, 2], [false, 0]]);
    assert.equal(journal.pendingCount(), 3);
    const next = await journal.commitDelivery(delivery({ deliveryId: "d" }));
    assert.equal(next.duplicate, false);
    assert.equal(walCommits(path) - before, 2, "a later turn is a new transaction");
    assert.equal(syncs, syncInBackground ? 2 : 0);
  });

  test(`${mode}: two copies of one delivery in one batch: the second is a duplicate, its jobs are queued once`, async (t) => {
    const journal = openJournal(join(tempDir(t), "journal.db"), { syncInBackground });
    t.after(() => journal.close());
    const [first, second] = await Promise.all([
      journal.commitDelivery(delivery({ deliveryId: "twice" })),
      journal.commitDelivery(delivery({ deliveryId: "twice" })),
    ]);
    assert.equal(first?.duplicate, false);
    assert.equal(second?.duplicate, true);
    assert.equal(second?.id, first?.id);
    assert.equal(journal.pendingCount(), 1);
  });
}

test("one delivery that cannot be written fails alone; the others of its batch are kept", async (t: Context) => {
  const journal = openJournal(join(tempDir(t), "journal.db"));
  t.after(() => journal.close());
  // A job name the schema cannot take (NOT NULL): this delivery's savepoint is rolled back.
  const broken = delivery({ deliveryId: "broken", jobs: [{ ...job("x"), job: null as unknown as string }] });
  const [ok, failed] = await Promise.allSettled([
    journal.commitDelivery(delivery({ deliveryId: "fine" })),
    journal.commitDelivery(broken),
  ]);
  assert.equal(ok.status, "fulfilled");
  assert.equal(failed.status, "rejected");
  assert.ok(journal.findDelivery("github", "fine"));
  assert.equal(journal.findDelivery("github", "broken"), undefined, "nothing half-written");
});

test("a full disk refuses the whole batch with JournalUnavailableError, and nothing of it is kept", async (t: Context) => {
  const db = new Database(join(tempDir(t), "journal.db"));
  db.pragma("journal_mode = WAL");
  const journal = new Journal(db);
  t.after(() => journal.close());
  await journal.commitDelivery(delivery({ deliveryId: "before" }));
  db.pragma(`max_page_count = ${db.pragma("page_count", { simple: true }) as number}`);
  const big = (id: string) => delivery({ deliveryId: id, payload: JSON.stringify({ blob: "x".repeat(200_000) }) });
  const results = await Promise.allSettled([journal.commitDelivery(big("one")), journal.commitDelivery(big("two"))]);
  for (const result of results) {
    assert.equal(result.status, "rejected");
    assert.ok(result.reason instanceof JournalUnavailableError);
  }
  assert.equal(journal.pendingCount(), 1);
});

test("close() commits what waits for the end of the turn; after it, a delivery is refused", async (t: Context) => {
  const path = join(tempDir(t), "journal.db");
  const journal = openJournal(path, { syncInBackground: true });
  const waiting = journal.commitDelivery(delivery({ deliveryId: "last" }));
  const closing = journal.close();
  await waiting;
  await closing;
  await assert.rejects(journal.commitDelivery(delivery({ deliveryId: "late" })), JournalUnavailableError);
  const reopened = openJournal(path);
  t.after(() => reopened.close());
  assert.ok(reopened.findDelivery("github", "last"));
});

test("GroupCommit settles nothing before the commit's sync is done", async () => {
  let release: () => void = () => {};
  const synced = new Promise<void>((resolve) => (release = resolve));
  const batches: number[][] = [];
  const group = new GroupCommit<number, number>((items) => {
    batches.push([...items]);
    return items.map((item) => item * 2);
  }, () => synced);
  let settled = false;
  const results = Promise.all([group.add(1), group.add(2)]).then((values) => {
    settled = true;
    return values;
  });
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(batches, [[1, 2]]);
  assert.equal(settled, false, "committed but not yet synced");
  release();
  assert.deepEqual(await results, [2, 4]);
});
