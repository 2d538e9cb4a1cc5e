// When a worker loop wakes: kicks coalesce into one step in the next turn, the timer follows the
// next due time, and nothing runs after stop().
import assert from "node:assert/strict";
import { test } from "node:test";
import { WakeSchedule, type WakeScheduleOptions } from "../../src/dispatch/wake-schedule.ts";

function schedule(fields: Partial<WakeScheduleOptions> = {}) {
  const pumps: number[] = [];
  let woken: (() => void) | undefined;
  const wake = new WakeSchedule({
    pump: () => {
      pumps.push(Date.now());
      woken?.();
    },
    now: Date.now,
    pollIntervalMs: 60_000,
    hasRoom: () => true,
    nextDue: () => null,
    onError: () => {},
    retryMs: 1000,
    ...fields,
  });
  // The schedule's timer is unref'd; the test's own keeps the process up while it waits.
  const nextPump = () => {
    const keepAlive = setTimeout(() => {}, 10_000);
    return new Promise<void>((resolve) => (woken = resolve)).finally(() => clearTimeout(keepAlive));
  };
  return { wake, pumps, nextPump };
}

test("kicks in one turn make one step, in the next turn, not during the caller's", async () => {
  const { wake, pumps, nextPump } = schedule();
  wake.start();
  const pumped = nextPump();
  wake.kick();
  wake.kick();
  wake.kick();
  assert.equal(pumps.length, 0, "deferred past the caller's turn");
  await pumped;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(pumps.length, 1);
});

test("the timer wakes the loop when the next piece of work is due", async () => {
  const due = Date.now() + 50;
  const { wake, pumps, nextPump } = schedule({ nextDue: () => due });
  wake.start();
  const pumped = nextPump();
  wake.schedule();
  await pumped;
  assert.ok((pumps[0] ?? 0) >= due - 1, "not before it was due");
  wake.stop();
});

test("without room the due time is not read; a failing read is reported and retried soon", async () => {
  let reads = 0;
  const errors: unknown[] = [];
  const full = schedule({ hasRoom: () => false, nextDue: () => { reads += 1; return 0; } });
  full.wake.start();
  full.wake.schedule();
  assert.equal(reads, 0);
  full.wake.stop();
  const failing = schedule({ nextDue: () => { throw new Error("disk I/O error"); }, onError: (error) => errors.push(error), retryMs: 20 });
  failing.wake.start();
  const pumped = failing.nextPump();
  failing.wake.schedule();
  await pumped;
  assert.equal(errors.length, 1);
  failing.wake.stop();
});

test("after stop() neither a queued kick nor the timer runs a step", async () => {
  const { wake, pumps } = schedule({ nextDue: () => Date.now() });
  wake.start();
  wake.kick();
  wake.schedule();
  wake.stop();
  // The kick's turn and the 0 ms timer have both passed once these have run (they were queued after).
  await new Promise((resolve) => setTimeout(resolve, 0));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(pumps.length, 0);
});
