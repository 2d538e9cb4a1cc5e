// Schema changes on a journal written by an older laminar-hooks: brought up to date when opened,
// keeping every delivery.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { MIGRATIONS } from "../../src/journal/migrations.ts";
import { openJournal } from "../../src/journal/open-journal.ts";
import { delivery, tempDir } from "./journal-fixtures.ts";

test("a journal of schema version 1 loses the unread deliveries.status and keeps its deliveries", async (t) => {
  const path = join(tempDir(t), "journal.db");
  const old = new Database(path);
  old.exec(MIGRATIONS[0] ?? "");
  old.pragma("user_version = 1");
  old.prepare(`INSERT INTO deliveries (id, forge, delivery_id, received_at, forge_event, kind, payload, status)
    VALUES (1, 'github', 'from-v1', 1000, 'push', 'push', '{}', 'queued')`).run();
  old.prepare(`INSERT INTO dispatches (delivery, job, params, host, reason, status, next_attempt_at, created_at, updated_at)
    VALUES (1, 'wiki', '{}', 'unix-abstract:laminar', 'push', 'done', 1000, 1000, 1000)`).run();
  old.close();

  const journal = openJournal(path);
  t.after(() => journal.close());
  const columns = new Database(path, { readonly: true });
  t.after(() => columns.close());
  assert.equal(columns.pragma("user_version", { simple: true }), MIGRATIONS.length);
  const names = (columns.prepare("SELECT name FROM pragma_table_info('deliveries')").pluck().all() as string[]);
  assert.ok(names.includes("delivery_id"));
  assert.ok(!names.includes("status"), `deliveries still has a status column: ${names.join(", ")}`);

  assert.equal(journal.getDelivery("from-v1")?.status, "done", "the status is derived from the dispatches");
  const again = await journal.commitDelivery(delivery({ deliveryId: "after-upgrade" }));
  assert.equal(journal.getDelivery(again.id)?.status, "queued");
});
