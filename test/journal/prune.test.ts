// Retention through Journal.prune (src/journal/prune.ts): old settled deliveries go in bounded
// chunks, one transaction each, with turns of the event loop between them for the answers.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openJournal } from "../../src/journal/open-journal.ts";
import { delivery, tempDir, walCommits } from "./journal-fixtures.ts";

type Context = Parameters<typeof tempDir>[0];

const DAY = 86_400_000;
const NOW = 1_700_000_000_000;

/** A journal holding `count` deliveries from 40 days ago that matched nothing (settled). */
async function oldJournal(t: Context, count: number) {
  const path = join(tempDir(t), "journal.db");
  const journal = openJournal(path, { now: () => NOW });
  t.after(() => journal.close());
  await Promise.all(Array.from({ length: count }, (_, i) =>
    journal.commitDelivery(delivery({ deliveryId: `old-${i}`, receivedAt: NOW - 40 * DAY + i, jobs: [] }))));
  return { journal, path };
}

test("a large prune is split into chunks of the given size, one transaction each", async (t) => {
  const { journal, path } = await oldJournal(t, 12);
  const before = walCommits(path);
  const chunks: number[] = [];
  assert.equal(await journal.prune(30 * DAY, { chunkSize: 5, onChunk: (deleted) => chunks.push(deleted) }), 12);
  assert.deepEqual(chunks, [5, 5, 2]);
  assert.equal(walCommits(path) - before, 3, "one transaction per chunk");
  assert.deepEqual(journal.listDeliveries(), []);
});

test("a delivery sent during a prune is answered before the prune ends", async (t) => {
  const { journal } = await oldJournal(t, 12);
  const events: string[] = [];
  let committed: Promise<unknown> | undefined;
  const pruned = journal.prune(30 * DAY, {
    chunkSize: 5,
    onChunk: (deleted) => {
      events.push(`chunk of ${deleted}`);
      committed ??= journal.commitDelivery(delivery({ deliveryId: "during-prune", receivedAt: NOW })).then(() => void events.push("answered"));
    },
  });
  assert.equal(await pruned, 12);
  await committed;
  assert.deepEqual(events, ["chunk of 5", "answered", "chunk of 5", "chunk of 2"]);
  assert.deepEqual(journal.listDeliveries().map((d) => d.deliveryId), ["during-prune"]);
});

test("closing the journal stops a prune between two chunks", async (t) => {
  const { journal, path } = await oldJournal(t, 12);
  let closing: Promise<void> | undefined;
  const deleted = await journal.prune(30 * DAY, {
    chunkSize: 5,
    onChunk: () => {
      closing ??= journal.close();
    },
  });
  await closing;
  assert.equal(deleted, 5);
  const reopened = openJournal(path);
  t.after(() => reopened.close());
  assert.equal(reopened.listDeliveries({ limit: 100 }).length, 7);
});
