import assert from "node:assert/strict";
import { existsSync, fdatasync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { setImmediate } from "node:timers/promises";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { JournalUnavailableError } from "../../src/errors.ts";
import { MIGRATIONS } from "../../src/journal/migrations.ts";
import { openJournal } from "../../src/journal/open-journal.ts";
import type { Fdatasync } from "../../src/journal/wal-sync.ts";
import { delivery, tempDir } from "./journal-fixtures.ts";

const realFdatasync = promisify(fdatasync);

/** An fdatasync that tells when it is called and does nothing until released, then runs `then`. */
function heldSyncs(then: Fdatasync) {
  let calledNow: () => void = () => {};
  const called = new Promise<void>((resolve) => (calledNow = resolve));
  let releaseNow: () => void = () => {};
  const released = new Promise<void>((resolve) => (releaseNow = resolve));
  return {
    sync: (fd: number) => {
      calledNow();
      return released.then(() => then(fd));
    },
    called: () => called,
    release: () => releaseNow(),
  };
}

test("creates the folder and the file, in WAL mode, with the current schema", async (t) => {
  const path = join(tempDir(t), "data", "deep", "journal.db");
  const journal = openJournal(path);
  assert.ok(existsSync(path));
  await journal.commitDelivery(delivery());

  const db = new Database(path, { readonly: true });
  t.after(() => db.close());
  assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
  assert.equal(db.pragma("user_version", { simple: true }), MIGRATIONS.length);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  assert.deepEqual(tables, [
    "attempts", "catch_up_heads", "catch_up_redeliveries", "catch_up_remote_heads", "catch_up_remotes", "deliveries", "dispatches", "heartbeat", "page_actions", "run_aborts", "runs", "status_posts",
  ]);
  await journal.close();
});

test("opening again keeps what was there", async (t) => {
  const path = join(tempDir(t), "journal.db");
  const first = openJournal(path);
  const { id } = await first.commitDelivery(delivery());
  await first.close();
  const second = openJournal(path);
  assert.equal(second.findDelivery("github", delivery().deliveryId)?.id, id);
  await second.close();
});

test("with the WAL synced in the background, a delivery is not answered before its fdatasync resolves", async (t) => {
  const path = join(tempDir(t), "journal.db");
  const synced: number[] = [];
  const held = heldSyncs((fd) => realFdatasync(fd).then(() => void synced.push(fd)));
  const journal = openJournal(path, { syncInBackground: true, fdatasync: held.sync });
  t.after(() => journal.close());
  let answered = false;
  const committed = journal.commitDelivery(delivery({ deliveryId: "held" })).then((result) => {
    answered = true;
    return result;
  });

  await held.called();
  // Committed (another connection sees it) but not yet known to be on disk: no answer yet.
  const reader = new Database(path, { readonly: true });
  t.after(() => reader.close());
  assert.equal(reader.prepare("SELECT COUNT(*) FROM deliveries WHERE delivery_id = 'held'").pluck().get(), 1);
  await setImmediate();
  assert.equal(answered, false, "commitDelivery resolved before the WAL was synced");

  held.release();
  assert.equal((await committed).dispatchIds.length, 1);
  assert.equal(synced.length, 1, "the WAL's descriptor was synced");
});

test("close() waits for the sync in flight, and the commit waiting on it still resolves", async (t) => {
  const path = join(tempDir(t), "journal.db");
  const held = heldSyncs(realFdatasync);
  const journal = openJournal(path, { syncInBackground: true, fdatasync: held.sync });
  const committed = journal.commitDelivery(delivery({ deliveryId: "closing" }));
  await held.called();
  let closed = false;
  const closing = journal.close().then(() => void (closed = true));
  await setImmediate();
  assert.equal(closed, false, "close() resolved while a sync was in flight");

  // The real fdatasync runs on the descriptor only now: it fails (EBADF) if close() closed it.
  held.release();
  await closing;
  assert.equal((await committed).duplicate, false);
  const reopened = openJournal(path);
  t.after(() => reopened.close());
  assert.ok(reopened.findDelivery("github", "closing"));
});

test("a path that cannot hold a database is JournalUnavailableError naming it", (t) => {
  const dir = tempDir(t);
  const isDirectory = join(dir, "journal.db");
  mkdirSync(isDirectory);
  assert.throws(() => openJournal(isDirectory), (error: unknown) => {
    assert.ok(error instanceof JournalUnavailableError);
    assert.equal(error.status, 503);
    assert.match(error.message, new RegExp(`${isDirectory}.*cannot be opened`));
    return true;
  });

  const file = join(dir, "a-file");
  writeFileSync(file, "");
  assert.throws(() => openJournal(join(file, "journal.db")), JournalUnavailableError);
});

test("a journal from a newer laminar-hooks is refused, not damaged", (t) => {
  const path = join(tempDir(t), "journal.db");
  const db = new Database(path);
  db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  db.close();
  assert.throws(() => openJournal(path), /newer than this laminar-hooks knows/);
});
