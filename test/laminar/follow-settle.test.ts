// The decisions of following runs, row by row against reference/laminard-http.md "Restarts".

import assert from "node:assert/strict";
import { test } from "node:test";
import type { HomeSnapshot, RunSnapshot } from "../../src/laminar/follow-events.ts";
import { advanceTo, decideLost, mergeFacts, settleFromHome, settleFromRun, type FollowedRun } from "../../src/laminar/follow-settle.ts";

const T = 1_795_966_011_000;
const queued: FollowedRun = { job: "ok", number: 9, state: "queued" };
const running: FollowedRun = { job: "slow", number: 4, state: "running" };

const home: HomeSnapshot = {
  time: T,
  runs: [
    { job: "ok", number: 9, state: "queued" },
    { job: "slow", number: 4, state: "running", startedAt: T - 1000 },
    { job: "trivial", number: 357, state: "success", queuedAt: T - 23_000, startedAt: T - 23_000, completedAt: T - 22_000 },
  ],
};
const empty: HomeSnapshot = { time: T, runs: [] };

test("settleFromHome: a run the home snapshot names is placed by it; any other needs its own snapshot", () => {
  assert.deepEqual(settleFromHome(queued, home), { kind: "advance", facts: { job: "ok", number: 9, state: "queued" } });
  assert.deepEqual(settleFromHome(running, home), { kind: "advance", facts: { job: "slow", number: 4, state: "running", startedAt: T - 1000 } });
  assert.equal(settleFromHome({ job: "trivial", number: 357, state: "running" }, home).kind, "advance");
  // Same number, other job: not the same run.
  assert.deepEqual(settleFromHome({ job: "other", number: 9, state: "queued" }, home), { kind: "fetch" });
  assert.deepEqual(settleFromHome(queued, empty), { kind: "fetch" });
});

test("settleFromHome after the stream dropped: a run the snapshot names aborted was aborted by the restart; other results stand", () => {
  const after: HomeSnapshot = { time: T, runs: [
    { job: "slow", number: 4, state: "aborted", startedAt: T - 3000, completedAt: T - 1000 },
    { job: "ok", number: 9, state: "failed", startedAt: T - 3000, completedAt: T - 1000 },
  ] };
  assert.deepEqual(settleFromHome(running, after, true), {
    kind: "lost", cause: "aborted", why: "slow:4 was aborted by a laminard restart: it was running when laminard stopped",
  });
  // Told on a stream that stayed up, an abort was a person's laminarc abort: reported.
  assert.equal(settleFromHome(running, after, false).kind, "advance");
  assert.equal(settleFromHome(queued, after, true).kind, "advance");
});

const rows: { name: string; run: FollowedRun; snapshot: RunSnapshot; homeAfterRecord: boolean; afterDrop?: boolean; expect: string; why?: RegExp }[] = [
  { name: "completed: its result", run: queued, homeAfterRecord: false, expect: "advance",
    snapshot: { kind: "run", state: "failed", queuedAt: T - 5000, startedAt: T - 5000, completedAt: T - 3000 } },
  { name: "aborted while the stream was up (a person's laminarc abort): its result", run: running, homeAfterRecord: true, expect: "advance",
    snapshot: { kind: "run", state: "aborted", queuedAt: T - 5000, startedAt: T - 5000, completedAt: T - 2000 } },
  { name: "aborted, found so after the stream dropped (SIGTERM of laminard): lost, to be queued again", run: running, homeAfterRecord: false, afterDrop: true, expect: "lost",
    snapshot: { kind: "run", state: "aborted", queuedAt: T - 5000, startedAt: T - 5000, completedAt: T - 2000 }, why: /^slow:4 was aborted by a laminard restart/ },
  { name: "succeeded, found so after the stream dropped: its result", run: running, homeAfterRecord: false, afterDrop: true, expect: "advance",
    snapshot: { kind: "run", state: "success", queuedAt: T - 5000, startedAt: T - 5000, completedAt: T - 2000 } },
  { name: "queued, started 0, queued before the snapshot: lost", run: queued, homeAfterRecord: false, expect: "lost",
    snapshot: { kind: "run", state: "queued", queuedAt: T - 1000 }, why: /ok:9 was lost in a laminard restart: laminard's queue no longer holds it/ },
  { name: "running forever after a SIGKILL: lost", run: running, homeAfterRecord: false, expect: "lost",
    snapshot: { kind: "run", state: "running", queuedAt: T - 9000, startedAt: T - 9000 }, why: /it was running and never completed/ },
  { name: "queued in the snapshot's second: may be newer than the snapshot, wait", run: queued, homeAfterRecord: false, expect: "wait",
    snapshot: { kind: "run", state: "queued", queuedAt: T } },
  { name: "queued after the snapshot: wait for its events or a later snapshot", run: queued, homeAfterRecord: false, expect: "wait",
    snapshot: { kind: "run", state: "queued", queuedAt: T + 1000 } },
  { name: "no queued time to compare: wait", run: queued, homeAfterRecord: false, expect: "wait",
    snapshot: { kind: "run", state: "queued" } },
  { name: "a home snapshot asked for after the run was recorded is definite: lost", run: queued, homeAfterRecord: true, expect: "lost",
    snapshot: { kind: "run", state: "queued", queuedAt: T + 1000 } },
  { name: "an unknown run number: lost", run: queued, homeAfterRecord: false, expect: "lost",
    snapshot: { kind: "unknown-run", latestNumber: 2 }, why: /laminard has no run ok:9 \(its latest is 2\)/ },
  { name: "an unknown job: lost", run: queued, homeAfterRecord: false, expect: "lost",
    snapshot: { kind: "unknown-job" }, why: /no longer knows job ok/ },
];

for (const row of rows) {
  test(`settleFromRun: ${row.name}`, () => {
    const verdict = settleFromRun(row.run, empty, row.snapshot, row.homeAfterRecord, row.afterDrop ?? false);
    assert.equal(verdict.kind, row.expect);
    if (verdict.kind === "advance" && row.snapshot.kind === "run") {
      assert.equal(verdict.facts.state, row.snapshot.state);
      assert.equal(verdict.facts.completedAt, row.snapshot.completedAt);
    }
    if (row.why !== undefined) assert.match(verdict.kind === "lost" ? verdict.why : "", row.why);
  });
}

test("advanceTo: forward only", () => {
  assert.equal(advanceTo("queued", "running"), "running");
  assert.equal(advanceTo("queued", "success"), "success");
  assert.equal(advanceTo("running", "aborted"), "aborted");
  assert.equal(advanceTo("queued", "queued"), undefined);
  assert.equal(advanceTo("running", "running"), undefined);
  assert.equal(advanceTo("running", "queued"), undefined);
});

test("mergeFacts: the furthest state with every time either report gave", () => {
  const started = { job: "ok", number: 1, state: "running" as const, queuedAt: T, startedAt: T + 1000 };
  const completed = { job: "ok", number: 1, state: "success" as const, completedAt: T + 5000 };
  assert.deepEqual(mergeFacts(started, completed), { job: "ok", number: 1, state: "success", queuedAt: T, startedAt: T + 1000, completedAt: T + 5000 });
  // An older report arriving later does not move it back.
  assert.deepEqual(mergeFacts(completed, { job: "ok", number: 1, state: "queued" }), completed);
  assert.deepEqual(mergeFacts(undefined, started), started);
});

test("decideLost: queued again with a reason that says so, up to the limit, then given up", () => {
  const reason = "GitHub push to sbrl/wiki master (3f2c1a9) by sbrl";
  const first = decideLost({ run: "wiki:42", why: "wiki:42 was lost in a laminard restart", lostBefore: 0, limit: 2, reason });
  assert.deepEqual(first, {
    kind: "requeue",
    reason: `${reason} (re-queued: wiki:42 was lost in a laminard restart, 1 of 2)`,
    note: "wiki:42 was lost in a laminard restart; queued again (1 of 2)",
  });
  // The second time, the note replaces the first one rather than piling up.
  const second = decideLost({ run: "wiki:43", why: "lost", lostBefore: 1, limit: 2, reason: first.kind === "requeue" ? first.reason : "" });
  assert.equal(second.kind === "requeue" && second.reason, `${reason} (re-queued: wiki:43 was lost in a laminard restart, 2 of 2)`);

  const third = decideLost({ run: "wiki:44", why: "wiki:44 was lost", lostBefore: 2, limit: 2, reason });
  assert.equal(third.kind, "give-up");
  assert.match(third.kind === "give-up" ? third.error : "", /wiki:44 was lost in a laminard restart after being queued again 2 times \(laminar\.requeue_lost: 2\): not queued again/);
  assert.equal(third.kind === "give-up" && third.note, "wiki:44 was lost; not queued again");

  const never = decideLost({ run: "wiki:1", why: "lost", lostBefore: 0, limit: 0, reason });
  assert.match(never.kind === "give-up" ? never.error : "", /laminar\.requeue_lost is 0/);

  // Aborted by a restart: the same budget, its own words; a note of either cause is replaced.
  const aborted = decideLost({ run: "wiki:45", why: "wiki:45 was aborted", lostBefore: 1, limit: 2, reason: first.kind === "requeue" ? first.reason : "", cause: "aborted" });
  assert.equal(aborted.kind === "requeue" && aborted.reason, `${reason} (re-queued: wiki:45 was aborted by a laminard restart, 2 of 2)`);
  const spent = decideLost({ run: "wiki:46", why: "wiki:46 was aborted", lostBefore: 2, limit: 2, reason, cause: "aborted" });
  assert.match(spent.kind === "give-up" ? spent.error : "", /^wiki:46 was aborted by a laminard restart after being queued again 2 times/);
});
