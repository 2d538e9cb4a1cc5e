// The deliveries page's query on a real SQLite file: filters, cursor paging both ways, the jobs
// and commit of each delivery, and the "nothing yet" state.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openJournal } from "../../src/journal/open-journal.ts";
import type { Journal } from "../../src/journal/journal.ts";
import { delivery, job, tempDir } from "./journal-fixtures.ts";

type Context = Parameters<typeof tempDir>[0];

function open(t: Context): Journal {
  const journal = openJournal(join(tempDir(t), "journal.db"), { now: () => 1_700_000_000_000 });
  t.after(() => journal.close());
  return journal;
}

/** Ten deliveries one second apart: even ones of sbrl/wiki with a job, odd ones of acme/app matching nothing. */
async function fill(journal: Journal): Promise<number[]> {
  const ids: number[] = [];
  for (let n = 0; n < 10; n++) {
    const wiki = n % 2 === 0;
    const input = delivery({
      deliveryId: `d-${n}`,
      receivedAt: 1_700_000_000_000 + n * 1_000,
      repo: wiki ? "sbrl/wiki" : "acme/app",
      jobs: wiki ? [job("wiki", { rev: `rev${n}` })] : [],
      trace: wiki ? [{ job: "wiki", matched: true, reason: "push" }] : [{ job: "app", matched: false, reason: "branch" }],
    });
    ids.push((await journal.commitDelivery(input)).id);
  }
  return ids;
}

test("an empty journal says so", async (t) => {
  const page = open(t).deliveriesPage({ limit: 5 });
  assert.deepEqual(page, { items: [], repos: [], empty: true });
});

test("newest first, with each delivery's jobs and the commit they build, and every repository for the filter", async (t) => {
  const journal = open(t);
  const ids = await fill(journal);
  const page = journal.deliveriesPage({ limit: 3 });
  assert.deepEqual(page.items.map((item) => item.id), [ids[9], ids[8], ids[7]]);
  assert.equal(page.empty, false);
  assert.deepEqual(page.repos, ["acme/app", "sbrl/wiki"]);
  assert.deepEqual(page.items[1]?.jobs.map((j) => [j.job, j.status, j.rev]), [["wiki", "pending", "rev8"]]);
  assert.deepEqual(page.items[0]?.jobs, []);
  assert.equal(page.items[0]?.status, "ignored");
  assert.equal(page.newer, undefined, "the first page has nothing newer");
  assert.deepEqual(page.older, { receivedAt: 1_700_000_007_000, id: ids[7] });
  assert.equal((page.items[0] as unknown as Record<string, unknown>).payload, undefined, "a list does not read payloads");
});

test("filters by repository and by derived status", async (t) => {
  const journal = open(t);
  await fill(journal);
  const wiki = journal.deliveriesPage({ limit: 50, repo: "sbrl/wiki" });
  assert.deepEqual(wiki.items.map((item) => item.deliveryId), ["d-8", "d-6", "d-4", "d-2", "d-0"]);
  const ignored = journal.deliveriesPage({ limit: 50, status: "ignored" });
  assert.deepEqual(ignored.items.map((item) => item.deliveryId), ["d-9", "d-7", "d-5", "d-3", "d-1"]);
  assert.deepEqual(journal.deliveriesPage({ limit: 50, status: "queued", repo: "acme/app" }).items, []);
  assert.deepEqual(journal.deliveriesPage({ limit: 50, status: "failed" }).items, []);

  // d-4's job fails for good, d-6's is queued in Laminar: the status filters follow the dispatches.
  const dispatchOf = (name: string) => journal.getDelivery(name)!.dispatches[0]!.id;
  const settle = (name: string, failed: boolean) => journal.recordAttempts([{ dispatchId: dispatchOf(name), result: {
    outcome: failed ? { kind: "permanent", message: "Failed to queue job 'wiki'" } : { kind: "queued", run: "wiki:1" },
    exitCode: failed ? 2 : 0, signal: null, stdout: "", stderr: "", durationMs: 5, timedOut: false,
  }, next: { status: failed ? "failed" : "done" } }]);
  settle("d-4", true);
  settle("d-6", false);
  // d-0's is in an attempt right now: still queued.
  assert.equal(journal.claimDue(1_700_000_000_000, 1)[0]?.id, dispatchOf("d-0"));
  const names = (status: "queued" | "failed" | "done") => journal.deliveriesPage({ limit: 50, status }).items.map((item) => item.deliveryId);
  assert.deepEqual(names("failed"), ["d-4"]);
  assert.deepEqual(names("done"), ["d-6"]);
  assert.deepEqual(names("queued"), ["d-8", "d-2", "d-0"]);
  assert.deepEqual(journal.deliveriesPage({ limit: 50, repo: "nobody/else" }).repos, ["acme/app", "sbrl/wiki"]);
});

test("pages older with `before` and back newer with `after`, the same pages either way", async (t) => {
  const journal = open(t);
  await fill(journal);
  const names = (page: ReturnType<Journal["deliveriesPage"]>) => page.items.map((item) => item.deliveryId);
  const first = journal.deliveriesPage({ limit: 4 });
  const second = journal.deliveriesPage({ limit: 4, before: first.older! });
  const third = journal.deliveriesPage({ limit: 4, before: second.older! });
  assert.deepEqual([names(first), names(second), names(third)], [
    ["d-9", "d-8", "d-7", "d-6"],
    ["d-5", "d-4", "d-3", "d-2"],
    ["d-1", "d-0"],
  ]);
  assert.equal(third.older, undefined, "the last page has nothing older");
  const back = journal.deliveriesPage({ limit: 4, after: third.newer! });
  assert.deepEqual(names(back), names(second));
  assert.ok(back.older && back.newer);
  const top = journal.deliveriesPage({ limit: 4, after: back.newer });
  assert.deepEqual(names(top), names(first));
  assert.equal(top.newer, undefined, "paging back reaches the newest page");

  // Paging within a filter stays within it.
  const failedFirst = journal.deliveriesPage({ limit: 2, status: "ignored" });
  const failedNext = journal.deliveriesPage({ limit: 2, status: "ignored", before: failedFirst.older! });
  assert.deepEqual(names(failedNext), ["d-5", "d-3"]);
});

test("deliveries received in the same millisecond page by id without loss or repeat", async (t) => {
  const journal = open(t);
  for (let n = 0; n < 5; n++) await journal.commitDelivery(delivery({ deliveryId: `same-${n}`, receivedAt: 1_700_000_000_000 }));
  const seen: string[] = [];
  let page = journal.deliveriesPage({ limit: 2 });
  for (;;) {
    seen.push(...page.items.map((item) => item.deliveryId));
    if (!page.older) break;
    page = journal.deliveriesPage({ limit: 2, before: page.older });
  }
  assert.deepEqual(seen, ["same-4", "same-3", "same-2", "same-1", "same-0"]);
});
