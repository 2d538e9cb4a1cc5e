import assert from "node:assert/strict";
import { test } from "node:test";
import { retryDelay } from "../../src/backoff.ts";

const policy = { attempts: 10, delayMs: 2000, maxDelayMs: 600_000 };

test("doubles from `delay` per attempt; equal jitter keeps it between half and all of that", () => {
  assert.deepEqual([1, 2, 3, 4].map((n) => retryDelay(n, policy, () => 0)), [1000, 2000, 4000, 8000]);
  assert.deepEqual([1, 2, 3, 4].map((n) => retryDelay(n, policy, () => 1)), [2000, 4000, 8000, 16_000]);
  assert.equal(retryDelay(2, policy, () => 0.5), 3000);
});

test("is capped at `max_delay`", () => {
  assert.equal(retryDelay(10, policy, () => 1), 600_000);
  assert.equal(retryDelay(10, policy, () => 0), 300_000);
  assert.equal(retryDelay(5000, policy, () => 1), 600_000);
  assert.equal(retryDelay(3, { attempts: 3, delayMs: 10_000, maxDelayMs: 5000 }, () => 1), 5000);
});

test("stays in range whatever it is given", () => {
  for (let attempt = -1; attempt < 60; attempt += 1) {
    const delay = retryDelay(attempt, policy);
    assert.ok(Number.isInteger(delay) && delay >= 1000 && delay <= 600_000, `${attempt}: ${delay}`);
  }
  assert.equal(retryDelay(Number.NaN, policy, () => 1), 2000);
  assert.equal(retryDelay(1, policy, () => 7), 2000);
  assert.equal(retryDelay(1, { attempts: 1, delayMs: 0, maxDelayMs: 0 }, () => 1), 0);
});
