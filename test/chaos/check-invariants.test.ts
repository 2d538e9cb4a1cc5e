// The invariant checker against synthetic histories: a clean one passes, and each way of breaking
// the promise is caught by its own invariant (a checker that cannot fail would make the chaos test
// a toy).

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkInvariants, type CheckInput, type Invariant } from "./check-invariants.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const url = (job: string, number: number) => `https://ci.example.com/jobs/${job}/${number}`;

/** Push 0 (master: build and docs) and push 1 (a feature branch: build), each built once. */
function clean(): CheckInput {
  return {
    pushes: [
      { index: 0, sha: A, jobs: ["build", "docs"], acknowledged: true },
      { index: 1, sha: B, jobs: ["build"], acknowledged: true },
    ],
    runs: [
      { name: "build", number: 1, rev: A, result: "aborted" },
      { name: "build", number: 2, rev: A, result: "success" },
      { name: "docs", number: 1, rev: A, result: "success" },
      { name: "build", number: 3, rev: B, result: "success" },
      // Lost in a laminard restart and queued again as build:4... which was lost too, then build:5.
      { name: "build", number: 4, rev: B, result: "queued" },
    ],
    statuses: [
      { sha: A, context: "laminar/build", state: "pending", targetUrl: url("build", 1) },
      { sha: A, context: "laminar/docs", state: "pending", targetUrl: url("docs", 1) },
      { sha: A, context: "laminar/build", state: "error", targetUrl: url("build", 1) },
      { sha: A, context: "laminar/build", state: "pending", targetUrl: url("build", 2) },
      { sha: A, context: "laminar/docs", state: "success", targetUrl: url("docs", 1) },
      { sha: A, context: "laminar/build", state: "success", targetUrl: url("build", 2) },
      { sha: B, context: "laminar/build", state: "success", targetUrl: url("build", 3) },
      // A success posted again (a retry after a lost answer) changes nothing.
      { sha: B, context: "laminar/build", state: "success", targetUrl: url("build", 3) },
    ],
    leftovers: [],
    stopped: "exit 0",
    apiProblems: [],
    context: (job) => `laminar/${job}`,
    runUrl: url,
  };
}

function invariantsOf(input: CheckInput): [Invariant, number | undefined][] {
  return checkInvariants(input).map((violation) => [violation.invariant, violation.push]);
}

test("a history that keeps the promise has no violation", () => {
  assert.deepEqual(checkInvariants(clean()), []);
});

test("a push built twice (a second hook, a retried call that had queued) breaks built-once", () => {
  const input = clean();
  input.runs = [...input.runs, { name: "build", number: 6, rev: B, result: "success" }];
  const violations = checkInvariants(input);
  assert.deepEqual(violations.map((violation) => [violation.invariant, violation.push]), [["built-once", 1]]);
  assert.match(violations[0]!.message, /build: 2 successful runs, expected 1 \(build:3 success, build:4 queued, build:6 success\)/);
});

test("a push never built (its run aborted by a restart and not queued again) breaks built-once and last-status", () => {
  const input = clean();
  input.runs = input.runs.filter((run) => !(run.name === "build" && run.number === 2));
  input.statuses = input.statuses.filter((status) => status.targetUrl !== url("build", 2));
  assert.deepEqual(invariantsOf(input), [["built-once", 0], ["last-status", 0]]);
});

test("a job the push does not match, built anyway, breaks built-once", () => {
  const input = clean();
  input.runs = [...input.runs, { name: "docs", number: 2, rev: B, result: "success" }];
  assert.deepEqual(invariantsOf(input), [["built-once", 1]]);
});

test("a run that builds no push that was sent breaks built-once", () => {
  const input = clean();
  input.runs = [...input.runs, { name: "build", number: 9, rev: "c".repeat(40), result: "success" }];
  assert.deepEqual(invariantsOf(input), [["built-once", undefined]]);
});

test("a forge whose last status is not success (or has none) breaks last-status", () => {
  const noStatus = clean();
  noStatus.statuses = noStatus.statuses.filter((status) => status.sha !== B);
  assert.deepEqual(invariantsOf(noStatus), [["last-status", 1]]);

  const stuckPending = clean();
  stuckPending.statuses = stuckPending.statuses.filter((status) => !(status.context === "laminar/docs" && status.state === "success"));
  assert.deepEqual(invariantsOf(stuckPending), [["last-status", 0]]);
});

test("a success linking another run than the one that built the push breaks last-status", () => {
  const input = clean();
  input.statuses = input.statuses.map((status) => (status.sha === A && status.state === "success" && status.context === "laminar/build" ? { ...status, targetUrl: url("build", 1) } : status));
  const violations = checkInvariants(input);
  assert.deepEqual(violations.map((violation) => violation.invariant), ["last-status"]);
  assert.match(violations[0]!.message, /links https:\/\/ci\.example\.com\/jobs\/build\/1, not the run that built it \(https:\/\/ci\.example\.com\/jobs\/build\/2\)/);
});

test("a pending after a success (posted out of order) breaks status-order, even when success comes last again", () => {
  const input = clean();
  input.statuses = [
    ...input.statuses,
    { sha: B, context: "laminar/build", state: "pending", targetUrl: url("build", 3) },
    { sha: B, context: "laminar/build", state: "success", targetUrl: url("build", 3) },
  ];
  assert.deepEqual(invariantsOf(input), [["status-order", 1]]);
});

test("a push no delivery of which was acknowledged breaks acknowledged", () => {
  const input = clean();
  input.pushes = input.pushes.map((push) => (push.index === 1 ? { ...push, acknowledged: false } : push));
  assert.deepEqual(invariantsOf(input), [["acknowledged", 1]]);
});

test("a process that outlived the service breaks no-leftovers, a hung stop clean-stop; a request the API refuses breaks valid-requests", () => {
  const input = clean();
  input.leftovers = [{ pid: 4242, command: "node fake-laminarc.js queue build" }];
  input.stopped = "hung";
  input.apiProblems = ["POST /repos/x/y/statuses/z: body/state must be equal to one of the allowed values"];
  const violations = checkInvariants(input);
  assert.deepEqual(violations.map((violation) => violation.invariant), ["no-leftovers", "clean-stop", "valid-requests"]);
  assert.match(violations[0]!.message, /pid 4242 outlived the service: node fake-laminarc\.js queue build/);
});
