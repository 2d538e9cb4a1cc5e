// The journal as `show`, `deliveries` and `catch-up --dry-run` open it: read-only, never created,
// never migrated, beside a service that keeps writing (a real writer connection, WAL mode).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { JournalNotReadableError } from "../../src/errors.ts";
import { MIGRATIONS } from "../../src/journal/migrations.ts";
import { openJournal } from "../../src/journal/open-journal.ts";
import { openJournalReadOnly } from "../../src/journal/open-journal-read-only.ts";
import { delivery, tempDir } from "./journal-fixtures.ts";

test("a path with no journal is 'no journal at PATH', and nothing is created there", (t) => {
  const path = join(tempDir(t), "data", "journl.db");
  assert.throws(() => openJournalReadOnly(path), (error: Error) =>
    error instanceof JournalNotReadableError && error.message === `no journal at ${path}`);
  assert.equal(existsSync(path), false);
  assert.equal(existsSync(join(path, "..")), false, "not even its folder");
});

test("reads what a writer keeps committing, and the writer is never blocked by it", async (t) => {
  const path = join(tempDir(t), "journal.db");
  const writer = openJournal(path);
  t.after(() => writer.close());
  const first = await writer.commitDelivery(delivery({ deliveryId: "first" }));

  const { journal: reader, notice } = openJournalReadOnly(path);
  t.after(() => reader.close());
  assert.equal(notice, undefined);
  assert.equal(reader.getDelivery("first")?.id, first.id);

  // The writer goes on while the reader is open, and the reader sees each commit.
  for (let index = 0; index < 20; index += 1) {
    const kept = await writer.commitDelivery(delivery({ deliveryId: `more-${index}` }));
    writer.claimDue(Date.now() + 1_000_000, 10);
    assert.equal(reader.getDelivery(`more-${index}`)?.id, kept.id);
  }
  assert.equal(reader.listDeliveries({ limit: 100 }).length, 21);

  // And it cannot write, whatever it is asked.
  await assert.rejects(reader.commitDelivery(delivery({ deliveryId: "from-the-reader" })), /cannot be written/);
  assert.equal(writer.getDelivery("from-the-reader"), undefined);
});

test("a journal of an older schema is left unmigrated and the message says what to do", (t) => {
  const path = join(tempDir(t), "journal.db");
  const old = new Database(path);
  old.pragma("journal_mode = WAL");
  for (const step of MIGRATIONS.slice(0, -1)) old.exec(step);
  old.pragma(`user_version = ${MIGRATIONS.length - 1}`);
  old.close();
  const size = statSync(path).size;

  assert.throws(() => openJournalReadOnly(path), (error: Error) =>
    error instanceof JournalNotReadableError
    && error.message.includes(`schema version ${MIGRATIONS.length - 1}, older than this laminar-hooks reads (${MIGRATIONS.length})`)
    && /migrates it when it starts/.test(error.message));
  const after = new Database(path, { readonly: true });
  t.after(() => after.close());
  assert.equal(after.pragma("user_version", { simple: true }), MIGRATIONS.length - 1);
  assert.equal(statSync(path).size, size);
});

test("a journal of a newer schema is read as far as this version knows, with a notice", async (t) => {
  const path = join(tempDir(t), "journal.db");
  const writer = openJournal(path);
  await writer.commitDelivery(delivery({ deliveryId: "before-the-upgrade" }));
  await writer.close();
  // What a newer laminar-hooks would have appended.
  const newer = new Database(path);
  newer.exec("CREATE TABLE from_the_future (id INTEGER PRIMARY KEY)");
  newer.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  newer.close();

  const { journal, notice } = openJournalReadOnly(path);
  t.after(() => journal.close());
  assert.match(notice ?? "", new RegExp(`schema version ${MIGRATIONS.length + 1}, newer than this laminar-hooks knows \\(${MIGRATIONS.length}\\)`));
  assert.equal(journal.getDelivery("before-the-upgrade")?.deliveryId, "before-the-upgrade");
});

test("a file that is not a journal, or a folder, is named as such", (t) => {
  const dir = tempDir(t);
  const empty = join(dir, "empty.db");
  writeFileSync(empty, "");
  assert.throws(() => openJournalReadOnly(empty), /is not a laminar-hooks journal \(no schema in it\): check journal.path/);
  const text = join(dir, "notes.txt");
  writeFileSync(text, "not sqlite at all, but long enough to have a header of a hundred bytes or so. ".repeat(4));
  assert.throws(() => openJournalReadOnly(text), (error: Error) =>
    error instanceof JournalNotReadableError && error.message.startsWith(`the journal ${text} cannot be read: file is not a database`));
  const folder = join(dir, "folder.db");
  mkdirSync(folder);
  assert.throws(() => openJournalReadOnly(folder), new RegExp(`no journal at ${folder}: it is a folder`));
});
