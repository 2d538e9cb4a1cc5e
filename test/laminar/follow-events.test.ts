// laminard's frames as reference/laminard-http.md captured them, parsed.

import assert from "node:assert/strict";
import { test } from "node:test";
import { LaminardFrameError, parseFrame, parseHomeSnapshot, parseLiveEvent, parseRunSnapshot } from "../../src/laminar/follow-events.ts";

const HOME = `{"type":"status","title":"Laminar","version":"23abdd27","time":1795966011,"data":{"recent":[{"name":"trivial","number":357,"context":"default","queued":1795965988,"started":1795965988,"completed":1795965989,"result":"success","reason":""}],"running":[{"name":"slow","number":4,"context":"default","started":1795966010,"etc":1795966020}],"queued":[{"name":"ok","number":9,"result":"queued"}],"executorsTotal":6,"executorsBusy":1,"buildsPerDay":[],"buildsPerJob":{},"timePerJob":{}}}`;
const RUN = `{"type":"status","title":"Laminar","version":"23abdd27","time":1795966019,"data":{"queued":1795966011,"started":1795966011,"completed":1795966013,"result":"success","reason":"demo reason","upstream":{"name":"","num":0},"etc":1795966011,"latestNum":2,"artifacts":[]}}`;

test("the home snapshot: queued, running and recent runs, times in ms", () => {
  const home = parseHomeSnapshot(parseFrame(HOME));
  assert.equal(home.time, 1_795_966_011_000);
  assert.deepEqual(home.runs, [
    { job: "ok", number: 9, state: "queued" },
    { job: "slow", number: 4, state: "running", startedAt: 1_795_966_010_000 },
    { job: "trivial", number: 357, state: "success", queuedAt: 1_795_965_988_000, startedAt: 1_795_965_988_000, completedAt: 1_795_965_989_000 },
  ]);
});

test("a run's snapshot: finished, lost, running after a SIGKILL, unknown run, unknown job", () => {
  assert.deepEqual(parseRunSnapshot(parseFrame(RUN)), {
    kind: "run", state: "success", queuedAt: 1_795_966_011_000, startedAt: 1_795_966_011_000, completedAt: 1_795_966_013_000,
    reason: "demo reason", latestNumber: 2,
  });
  const lost = `{"type":"status","time":1795966019,"data":{"queued":1795966011,"started":0,"result":"queued","reason":"","upstream":{"name":"","num":0},"latestNum":101,"artifacts":[]}}`;
  assert.deepEqual(parseRunSnapshot(parseFrame(lost)), { kind: "run", state: "queued", queuedAt: 1_795_966_011_000, reason: "", latestNumber: 101 });
  const killed = `{"type":"status","time":1795966019,"data":{"queued":1795966011,"started":1795966012,"result":"running","latestNum":5,"artifacts":[]}}`;
  assert.deepEqual(parseRunSnapshot(parseFrame(killed)), { kind: "run", state: "running", queuedAt: 1_795_966_011_000, startedAt: 1_795_966_012_000, latestNumber: 5 });
  assert.deepEqual(parseRunSnapshot(parseFrame(`{"type":"status","data":{"latestNum":2,"artifacts":[]}}`)), { kind: "unknown-run", latestNumber: 2 });
  assert.deepEqual(parseRunSnapshot(parseFrame(`{"type":"status","data":{"artifacts":[]}}`)), { kind: "unknown-job" });
});

test("live events as captured", () => {
  const frames = [
    `{"type":"job_queued","data":{"name":"ok","number":1,"result":"queued","queueIndex":1,"reason":"demo reason"}}`,
    `{"type":"job_started","data":{"queueIndex":2,"name":"ok","queued":1795966011,"started":1795966011,"number":1,"reason":"demo reason","etc":1795966011}}`,
    `{"type":"job_completed","data":{"name":"ok","number":1,"queued":1795966011,"completed":1795966013,"started":1795966011,"result":"success","reason":"demo reason","artifacts":[]}}`,
    `{"type":"job_completed","data":{"name":"ok","number":2,"queued":1795966013,"completed":1795966013,"started":1795966013,"result":"failed","reason":"","artifacts":[]}}`,
    `{"type":"job_completed","data":{"name":"slow","number":1,"queued":1795966096,"completed":1795966097,"started":1795966096,"result":"aborted","reason":"","artifacts":[]}}`,
  ];
  assert.deepEqual(frames.map((text) => parseLiveEvent(parseFrame(text))), [
    { job: "ok", number: 1, state: "queued", reason: "demo reason" },
    { job: "ok", number: 1, state: "running", reason: "demo reason", queuedAt: 1_795_966_011_000, startedAt: 1_795_966_011_000 },
    { job: "ok", number: 1, state: "success", reason: "demo reason", queuedAt: 1_795_966_011_000, startedAt: 1_795_966_011_000, completedAt: 1_795_966_013_000 },
    { job: "ok", number: 2, state: "failed", reason: "", queuedAt: 1_795_966_013_000, startedAt: 1_795_966_013_000, completedAt: 1_795_966_013_000 },
    { job: "slow", number: 1, state: "aborted", reason: "", queuedAt: 1_795_966_096_000, startedAt: 1_795_966_096_000, completedAt: 1_795_966_097_000 },
  ]);
});

test("frames that say nothing about a run are ignored; frames that are not laminard's are errors", () => {
  assert.equal(parseLiveEvent(parseFrame(`{"type":"status","data":{}}`)), undefined);
  assert.equal(parseLiveEvent(parseFrame(`{"type":"job_completed","data":{"name":"ok","number":1,"result":"weird"}}`)), undefined);
  assert.equal(parseLiveEvent(parseFrame(`{"type":"job_started","data":{"name":"ok","number":"1"}}`)), undefined);
  assert.throws(() => parseFrame("<!doctype html>"), LaminardFrameError);
  assert.throws(() => parseFrame(`{"data":{}}`), LaminardFrameError);
  assert.throws(() => parseHomeSnapshot(parseFrame(`{"type":"job_queued","data":{}}`)), /not "status"/);
});
