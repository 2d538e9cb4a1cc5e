import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { JournalUnavailableError } from "../../src/errors.ts";
import { MIGRATIONS } from "../../src/journal/migrations.ts";
import { openJournal } from "../../src/journal/open-journal.ts";
import { delivery, tempDir } from "./journal-fixtures.ts";

test("creates the folder and the file, in WAL mode, with the current schema", (t) => {
  const path = join(tempDir(t), "data", "deep", "journal.db");
  const journal = openJournal(path);
  assert.ok(existsSync(path));
  journal.recordDelivery(delivery());

  const db = new Database(path, { readonly: true });
  t.after(() => db.close());
  assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
  assert.equal(db.pragma("user_version", { simple: true }), MIGRATIONS.length);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  assert.deepEqual(tables, ["attempts", "deliveries", "dispatches", "heartbeat", "status_posts"]);
  journal.close();
});

test("opening again keeps what was there", (t) => {
  const path = join(tempDir(t), "journal.db");
  const first = openJournal(path);
  const { id } = first.recordDelivery(delivery());
  first.close();
  const second = openJournal(path);
  assert.equal(second.findDelivery("github", delivery().deliveryId)?.id, id);
  second.close();
});

test("a delivery is on disk when recordDelivery returns, even if the process is killed at once", (t) => {
  const path = join(tempDir(t), "journal.db");
  const here = fileURLToPath(new URL(".", import.meta.url));
  const script = `
    import { openJournal } from ${JSON.stringify(join(here, "../../src/journal/open-journal.ts"))};
    import { delivery } from ${JSON.stringify(join(here, "journal-fixtures.ts"))};
    const journal = openJournal(${JSON.stringify(path)});
    journal.recordDelivery(delivery({ deliveryId: "killed-right-after" }));
    process.kill(process.pid, "SIGKILL");
  `;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(child.signal, "SIGKILL", child.stderr);
  const journal = openJournal(path);
  t.after(() => journal.close());
  const found = journal.findDelivery("github", "killed-right-after");
  assert.equal(found?.dispatchCount, 1);
  assert.equal(journal.pendingCount(), 1);
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
