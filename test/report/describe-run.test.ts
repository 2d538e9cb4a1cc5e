import assert from "node:assert/strict";
import { test } from "node:test";
import { cut, describeRun, MAX_DESCRIPTION } from "../../src/report/describe-run.ts";
import type { RunStateChange } from "../../src/journal/run-state.ts";

const change = (fields: Partial<RunStateChange>): RunStateChange => ({ dispatchId: 1, job: "wiki", runNumber: 42, state: "queued", at: 0, ...fields });

test("each state says what happened, as DESIGN.md words it", () => {
  assert.equal(describeRun(change({ state: "queued" })), "Laminar run #42 is queued");
  assert.equal(describeRun(change({ state: "running" })), "Laminar run #42 is running");
  assert.equal(describeRun(change({ state: "success", durationMs: 63_000 })), "Laminar run #42 passed in 1m 3s");
  assert.equal(describeRun(change({ state: "failed", durationMs: 12_000 })), "Laminar run #42 failed after 12s");
  assert.equal(describeRun(change({ state: "aborted", durationMs: 5_000 })), "Laminar run #42 was aborted after 5s");
  assert.equal(describeRun(change({ state: "lost", reason: "lost in a laminard restart; queued again as job:43" })),
    "Laminar run #42 lost in a laminard restart; queued again as job:43");
  assert.equal(describeRun(change({ state: "lost" })), "Laminar run #42 was lost in a laminard restart; queued again");
  assert.equal(describeRun({ dispatchId: 1, job: "wiki", state: "error", at: 0, reason: "Laminar does not know job \"wiki\"" }),
    'Laminar job wiki could not be queued: Laminar does not know job "wiki"');
});

test("a long laminarc message is cut to 140 characters, on one line", () => {
  const text = describeRun(change({ state: "error", reason: `first line\n${"x".repeat(300)}` }));
  assert.equal(text.length, MAX_DESCRIPTION);
  assert.ok(text.endsWith("…"));
  assert.ok(!text.includes("\n"));
  assert.match(text, /could not be queued: first line x+…$/);
});

test("cutting never splits a character made of two UTF-16 units", () => {
  const text = cut("🙂".repeat(100));
  assert.ok(text.length <= MAX_DESCRIPTION);
  assert.equal(text, `${"🙂".repeat(69)}…`);
});
