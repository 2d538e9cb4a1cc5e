// The journal's disk filling up and getting room again while deliveries stream in. A real
// SQLITE_FULL, on the service's own connection: `max_page_count` caps the database at its size
// (file permissions would not stop root, under which the tests run). No delivery that was not kept
// is ever answered 2xx; /readyz says so; the dispatcher rides it out and finishes everything.

import assert from "node:assert/strict";
import { test } from "node:test";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { fakeProcesses, queuedPerDelivery, sendPush, sleep, startFaultService, streamDeliveries } from "./fault-kit.ts";
import { HELLO_WORLD_CONFIG } from "../support/test-service.ts";

test("disk full and back under traffic: 503 while full, never 2xx for what was not kept, then everything done", async (t) => {
  // The fake laminarc is a Node script (~50 ms of CPU to start): on two busy cores, beside other
  // test files, a call can take seconds. A short timeout would kill calls that are only slow, and a
  // tight final wait would fail a test whose work is merely queued.
  const svc = await startFaultService({
    laminar: "  concurrency: 2\n  timeout: 10s\n  retry: { attempts: 20, delay: 50ms, max_delay: 200ms }",
    rest: HELLO_WORLD_CONFIG,
  });
  const db = svc.journalDatabase;
  const ready = async () => (await fetch(`${svc.url}/readyz`)).status;
  try {
    const stream = streamDeliveries(() => svc.url, "full", 3, 20);
    await waitFor(() => stream.sent.filter((s) => s.status === 202).length >= 10, 5_000, "deliveries accepted before the disk fills");

    // Slow attempts are still running when the journal fills: one whose record does not fit must
    // be kept by the dispatcher and written later, without running laminarc again.
    svc.fake.setMode("slow:300");
    await sleep(100);
    const pages = db.pragma("page_count", { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const filledAt = Date.now();
    await waitFor(() => stream.sent.some((s) => s.status === 503 && s.at >= filledAt), 5_000, "a 503 once the journal is full");
    assert.equal(await ready(), 503, "/readyz says the journal cannot be written");
    await sleep(1_000);
    assert.equal(await ready(), 503, "still full");
    assert.equal((await fetch(`${svc.url}/healthz`)).status, 200, "the process runs on");
    svc.fake.setMode("ok");
    const refusedWhileFull = stream.sent.filter((s) => s.at >= filledAt && s.status === 503).length;

    db.pragma("max_page_count = 1073741823");
    const roomAt = Date.now();
    // /readyz checks room first, so the first look after the limit is lifted already says 200.
    assert.equal(await ready(), 200, "/readyz 200 once there is room");
    await waitFor(() => stream.sent.filter((s) => s.at > roomAt && s.status === 202).length >= 10, 5_000, "deliveries accepted again");
    const sent = await stream.stop();

    const statuses = new Map<number, number>();
    for (const s of sent) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
    t.diagnostic(`answers ${JSON.stringify(Object.fromEntries(statuses))}; ${refusedWhileFull} refused while full`);
    for (const s of sent) {
      assert.ok(s.status === 202 || s.status === 503, `${s.id}: ${s.status} ${s.error ?? String(s.body.message)}`);
      if (s.status === 503) assert.match(String(s.body.message), /journal cannot be written/);
    }
    assert.ok(refusedWhileFull >= 3, `${refusedWhileFull} deliveries refused while the journal was full`);

    // Kept means answered 2xx, and the other way round: a 503 left nothing behind.
    const journal = svc.service.journal;
    const accepted = sent.filter((s) => s.status === 202).map((s) => s.id);
    const refused = sent.filter((s) => s.status === 503).map((s) => s.id);
    for (const id of accepted) assert.ok(journal.getDelivery(id), `${id} was answered 202 and is in the journal`);
    for (const id of refused) assert.equal(journal.getDelivery(id), undefined, `${id} was answered 503 and is not in the journal`);

    // The forge sends the refused ones again (or someone presses Redeliver): accepted now.
    for (const id of refused) {
      const again = await sendPush(svc.url, id);
      assert.equal(again.status, 202, `${id} sent again: ${String(again.body.message)}`);
    }

    // The dispatcher kept going: nothing stuck running, every delivery queued exactly once.
    const all = [...accepted, ...refused];
    try {
      await waitFor(() => all.every((id) => journal.getDelivery(id)?.status === "done"), 90_000, "every delivery done");
    } catch (error) {
      const stuck = db.prepare("SELECT id, delivery, status, attempts, next_attempt_at - ? AS due_in, last_error FROM dispatches WHERE status != 'done'").all(Date.now());
      const errors = svc.logs.filter((line) => line.level !== "info").map((line) => `${String(line.level)} ${String(line.msg)} ${JSON.stringify(line.err ?? "")}`.slice(0, 300));
      throw new Error(`${(error as Error).message}; laminarc running: ${JSON.stringify(fakeProcesses(svc.fake.dir))}; not done: ${JSON.stringify(stuck)}; in flight ${svc.service.dispatcher.inFlight}; log: ${[...new Set(errors)].join(" | ")}`);
    }
    const notDone = db.prepare("SELECT COUNT(*) FROM dispatches WHERE status != 'done'").pluck().get();
    assert.equal(notDone, 0, "no dispatch pending, running or failed");
    assert.equal(svc.service.dispatcher.inFlight, 0);
    const queued = queuedPerDelivery(svc.fake);
    for (const id of all) {
      assert.equal(queued.get(id)?.count, 1, `${id} was queued ${queued.get(id)?.count ?? 0} times`);
      assert.equal(journal.getDelivery(id)!.dispatches[0]!.run, queued.get(id)!.runs[0]);
    }
    assert.equal(queued.size, all.length);
    const unrecorded = svc.logs.filter((line) => /^cannot record a laminarc attempt/.test(String(line.msg))).length;
    // Small attempt rows often still fit in the last page: whether this happens depends on timing.
    t.diagnostic(`${unrecorded} attempt records deferred while the journal was full`);
  } finally {
    await svc.stop();
  }
});
