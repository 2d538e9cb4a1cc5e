import assert from "node:assert/strict";
import { test } from "node:test";
import type { DispatchSummary, RunRecord } from "../../src/journal/index.ts";
import { abortChoice } from "../../src/laminar/abort-choice.ts";

const dispatch = (fields: Partial<DispatchSummary> = {}): DispatchSummary => ({ id: 1, job: "app", status: "done", run: "app:4", attempts: 1, lastError: null, ...fields });
const run = (state: RunRecord["state"], number = 4): RunRecord => ({
  id: number, dispatchId: 1, job: "app", number, state, queuedAt: 0, startedAt: null, completedAt: null, requeuedAs: null, note: null,
});

test("a running run is aborted now; a queued or lost one (queued again) when it starts; a finished one not at all", () => {
  assert.deepEqual(abortChoice(dispatch(), [run("running")], undefined), { kind: "now", job: "app", number: 4 });
  assert.deepEqual(abortChoice(dispatch(), [run("queued")], undefined), { kind: "on-start" });
  assert.deepEqual(abortChoice(dispatch(), [run("lost", 4)], undefined), { kind: "on-start" });
  for (const state of ["success", "failed", "aborted"] as const) assert.deepEqual(abortChoice(dispatch(), [run(state)], undefined), { kind: "none" });
});

test("not queued in Laminar yet: when it starts; never queued (failed): nothing; queued but not followed: now, laminarc says if it runs", () => {
  assert.deepEqual(abortChoice(dispatch({ status: "pending", run: null }), [], undefined), { kind: "on-start" });
  assert.deepEqual(abortChoice(dispatch({ status: "failed", run: null }), [], undefined), { kind: "none" });
  assert.deepEqual(abortChoice(dispatch({ status: "done", run: "app:12" }), [], undefined), { kind: "now", job: "app", number: 12 });
});

test("an abort asked already is shown, not asked again", () => {
  const asked = { dispatchId: 1, why: "asked" as const, supersededBy: null, state: "waiting" as const, askedAt: 0, answer: null };
  assert.deepEqual(abortChoice(dispatch(), [run("running")], asked), { kind: "asked", abort: asked });
});
