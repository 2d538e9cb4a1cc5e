// `laminarc abort JOB N` as reference/laminarc.md "Aborting" measured it, and what the caller is told.
import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyAbort } from "../../src/laminar/classify-abort.ts";
import type { LaminarcExit } from "../../src/laminar/classify-result.ts";

function exit(fields: Partial<LaminarcExit>): LaminarcExit & { run: number } {
  return { exitCode: 0, signal: null, stdout: "", stderr: "", timedOut: false, job: "hello", run: 7, timeoutMs: 30_000, ...fields };
}

test("exit 0, nothing printed: the running run was aborted", () => {
  assert.deepEqual(classifyAbort(exit({})), { kind: "aborted" });
});

test("exit 2, nothing printed: laminard has no such run running (queued, finished or unknown)", () => {
  const result = classifyAbort(exit({ exitCode: 2 }));
  assert.equal(result.kind, "not-running");
  assert.match(result.kind === "not-running" ? result.message : "", /hello:7.*queued, finished or unknown/);
});

test("exit 2 with a connection error: laminard was not reached, and the message says why", () => {
  for (const [stderr, advice] of [
    ["connect(): Connection refused\n", /laminard is not running/],
    ["connect(): No such file or directory\n", /no socket/],
    ["connect(): Permission denied\n", /laminard's group/],
    ["DNS lookup failed. garbage: Name or service not known\n", /laminar\.host/],
  ] as const) {
    const result = classifyAbort(exit({ exitCode: 2, stderr }));
    assert.equal(result.kind, "failed", stderr);
    assert.match(result.kind === "failed" ? result.message : "", advice);
    assert.equal(result.kind === "failed" && result.timedOut, false);
  }
});

test("killed at the timeout: failed, timed out, outcome unknown", () => {
  const result = classifyAbort(exit({ exitCode: null, signal: "SIGKILL", timedOut: true, timeoutMs: 1000 }));
  assert.deepEqual(result, { kind: "failed", message: "laminarc did not answer within 1s; killed. laminard may be frozen or overloaded", timedOut: true });
});

test("exit 0 from a process killed at the timeout is not an abort", () => {
  assert.equal(classifyAbort(exit({ exitCode: 0, timedOut: true })).kind, "failed");
});

test("laminarc missing, killed by a signal, usage, stopped by the shutdown: failed", () => {
  const missing = classifyAbort(exit({ exitCode: null, spawnError: { code: "ENOENT", message: "spawn laminarc ENOENT" }, laminarc: "laminarc" }));
  assert.match(missing.kind === "failed" ? missing.message : "", /"laminarc" was not found/);
  const killed = classifyAbort(exit({ exitCode: null, signal: "SIGTERM" }));
  assert.match(killed.kind === "failed" ? killed.message : "", /killed by SIGTERM/);
  const usage = classifyAbort(exit({ exitCode: 1, stderr: "Usage laminarc abort <jobName> <jobNumber>\n" }));
  assert.match(usage.kind === "failed" ? usage.message : "", /rejected its arguments/);
  const canceled = classifyAbort(exit({ exitCode: null, signal: "SIGKILL", canceled: true }));
  assert.match(canceled.kind === "failed" ? canceled.message : "", /hello:7 was stopped because laminar-hooks is shutting down/);
});
