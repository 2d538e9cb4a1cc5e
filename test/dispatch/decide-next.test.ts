import assert from "node:assert/strict";
import { test } from "node:test";
import { decideNext, type DecideNextInput } from "../../src/dispatch/decide-next.ts";

const base: DecideNextInput = {
  outcome: { kind: "retry", message: "connect(): Connection refused" },
  attempt: 1,
  canceled: false,
  policy: { attempts: 3, delayMs: 1000, maxDelayMs: 10_000 },
  now: 50_000,
  random: () => 1,
};

test("queued is done, permanent is failed, at once", () => {
  assert.deepEqual(decideNext({ ...base, outcome: { kind: "queued", run: "a:1" } }), { status: "done" });
  assert.deepEqual(decideNext({ ...base, outcome: { kind: "permanent", message: "unknown job" } }), { status: "failed" });
});

test("retry is pending after the backoff", () => {
  assert.deepEqual(decideNext(base), { status: "pending", nextAttemptAt: 51_000 });
  assert.deepEqual(decideNext({ ...base, attempt: 2 }), { status: "pending", nextAttemptAt: 52_000 });
});

test("the last allowed attempt gives up, saying why", () => {
  assert.deepEqual(decideNext({ ...base, attempt: 3 }), {
    status: "failed",
    error: "gave up after 3 attempts: connect(): Connection refused",
  });
  assert.deepEqual(decideNext({ ...base, policy: { ...base.policy, attempts: 1 } }).status, "failed");
});

test("an attempt cut by the shutdown is pending now and not counted, even the last one", () => {
  assert.deepEqual(decideNext({ ...base, attempt: 3, canceled: true }), { status: "pending", nextAttemptAt: 50_000, canceled: true });
  // It finished anyway before being killed: its outcome stands.
  assert.deepEqual(decideNext({ ...base, canceled: true, outcome: { kind: "queued", run: "a:2" } }), { status: "done" });
});
