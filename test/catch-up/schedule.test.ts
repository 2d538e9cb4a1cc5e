import assert from "node:assert/strict";
import { test } from "node:test";
import { graceFor, MAX_GRACE_MS, nextPassDelay } from "../../src/catch-up/schedule.ts";

test("the first pass runs at once; the next one an interval after the last one started", () => {
  assert.equal(nextPassDelay(120_000, undefined, 1_000), 0);
  assert.equal(nextPassDelay(120_000, 1_000, 31_000), 90_000);
});

test("a pass that took longer than the interval is followed at once, never overlapped", () => {
  assert.equal(nextPassDelay(1_000, 0, 5_000), 0);
});

test("interval 0 turns catch-up off", () => {
  assert.equal(nextPassDelay(0, undefined, 0), undefined);
  assert.equal(nextPassDelay(0, 10, 20), undefined);
});

test("the grace is 10 s, at most a quarter of the interval", () => {
  assert.equal(graceFor(120_000), MAX_GRACE_MS);
  assert.equal(graceFor(20_000), 5_000);
  assert.equal(graceFor(200), 50);
  assert.equal(graceFor(0), MAX_GRACE_MS, "a one-off pass (catch-up command) with polling off");
});
