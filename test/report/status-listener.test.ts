// The listener inside the transaction that records a run's change: its post commits with the
// change, and a post that cannot be written takes the change down with it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { JournalUnavailableError } from "../../src/errors.ts";
import { StatusOutbox } from "../../src/journal/status-outbox.ts";
import { createStatusListener } from "../../src/report/status-listener.ts";
import { configFrom, forgeConfig, journalDelivery, recordChange, tempJournal } from "./report-kit.ts";

const config = configFrom(forgeConfig("gitlab", "https://gitlab.example.com/api/v4"), { FORGE_TOKEN: "glpat-abc" });

test("a change's post is in the outbox once its transaction commits, and the poster is woken", async (t) => {
  const journal = tempJournal(t).open();
  const outbox = journal.statusOutbox;
  let kicks = 0;
  const listener = createStatusListener({ outbox, getConfig: () => config, onEnqueued: () => { kicks += 1; } });
  const { dispatchId, deliveryId } = await journalDelivery(journal, "gitlab");
  recordChange(journal, listener, { dispatchId, runNumber: 5, state: "running" });
  const [post] = outbox.postsOfDelivery(deliveryId);
  assert.deepEqual([post?.state, post?.status, post?.ref, post?.targetUrl], ["running", "pending", "master", "https://ci.example.com/jobs/wiki/5"]);
  assert.equal(kicks, 1);
});

test("when the post cannot be written, the change it came with is rolled back too", async (t) => {
  const journal = tempJournal(t).open();
  const outbox = journal.statusOutbox;
  const listener = createStatusListener({ outbox, getConfig: () => config });
  const { dispatchId } = await journalDelivery(journal, "gitlab");
  const before = journal.database.prepare("SELECT updated_at FROM dispatches WHERE id = ?").pluck().get(dispatchId);
  // As a full disk would: the insert into the outbox fails.
  journal.database.exec("CREATE TEMP TRIGGER full BEFORE INSERT ON status_posts BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
  assert.throws(() => recordChange(journal, listener, { dispatchId, runNumber: 5, state: "success", durationMs: 1 }), JournalUnavailableError);
  assert.equal(journal.database.prepare("SELECT updated_at FROM dispatches WHERE id = ?").pluck().get(dispatchId), before);
  assert.equal(outbox.waitingCount(), 0);
});

test("a dispatch whose delivery is gone (pruned) or has no commit gets no post", async (t) => {
  const journal = tempJournal(t).open();
  const outbox = journal.statusOutbox;
  const listener = createStatusListener({ outbox, getConfig: () => config });
  journal.database.transaction(() => listener({ dispatchId: 404, job: "wiki", runNumber: 1, state: "queued", at: 0 }))();
  const { dispatchId } = await journalDelivery(journal, "gitlab", { rev: "" });
  recordChange(journal, listener, { dispatchId, runNumber: 1, state: "queued" });
  assert.equal(outbox.waitingCount(), 0);
});
