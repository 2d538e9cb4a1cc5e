// The history ties what each fake saw to the push it concerns, so a broken invariant reads as the
// story of its push.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ChaosHistory } from "./chaos-history.ts";
import type { PlannedPush } from "./chaos-plan.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const push = (index: number, sha: string): PlannedPush => ({ index, branch: "master", before: "0".repeat(40), sha, jobs: ["build"], deliveries: [{ id: `d-${index}`, at: 0, retryDelaysMs: [100] }] });
const pushes = [push(0, A), push(1, B)];

test("laminard's events, status requests and log lines go to their push; faults and restarts to every push", () => {
  const history = new ChaosHistory(1000);
  history.record("forge", "push 0 sent", 0, 1100);
  history.record("fault", "SIGKILL service", undefined, 1200);
  history.addLaminard([
    { at: 1300, type: "job_queued", name: "build", number: 1, params: [`rev=${A}`, "delivery=d-0"], reason: "", held: true },
    { at: 1350, type: "job_queued", name: "build", number: 2, params: [`rev=${B}`, "delivery=d-1"], reason: "" },
    { at: 1400, type: "stopped" },
    { at: 1500, type: "job_completed", name: "build", number: 1, result: "aborted" },
  ], pushes);
  history.addStatusRequests([
    { at: 1600, method: "POST", rawPath: `/repos/o/r/statuses/${A}`, query: new URLSearchParams(), headers: {}, body: { state: "error", context: "laminar/build", target_url: "u1" }, answer: 502 },
    { at: 1700, method: "POST", rawPath: `/repos/o/r/statuses/${B}`, query: new URLSearchParams(), headers: {}, body: { state: "pending", context: "laminar/build" }, answer: "hang" },
  ], pushes);
  history.addServiceLog([
    { level: 40, time: 1650, pid: 77, msg: "job build, attempt 2: timed out", forgeDelivery: "d-0" },
    { level: 30, time: 1660, pid: 77, msg: "queued build:2", sha: B },
    { level: 30, time: 1670, pid: 77, msg: "listening" },
  ], pushes);

  assert.equal(history.format(history.ofPush(0)), [
    "  +   100 ms  forge      push 0 sent",
    "  +   200 ms  fault      SIGKILL service",
    "  +   300 ms  laminard   job_queued build:1 (delivery=d-0; answer held: laminarc gets none)",
    "  +   400 ms  laminard   laminard stopped (SIGTERM: running runs aborted, queued ones lost)",
    "  +   500 ms  laminard   job_completed build:1 aborted",
    "  +   600 ms  status-api laminar/build error u1 → 502",
    "  +   650 ms  service    [77 warn] job build, attempt 2: timed out forgeDelivery=d-0",
  ].join("\n"));
  assert.deepEqual(history.ofPush(1).map((event) => event.text), [
    "SIGKILL service",
    "job_queued build:2 (delivery=d-1)",
    "laminard stopped (SIGTERM: running runs aborted, queued ones lost)",
    `[77 info] queued build:2 sha=${B}`,
    "laminar/build pending  → hung",
  ]);
});
