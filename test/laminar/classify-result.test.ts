// Every row of reference/laminarc.md, as laminarc prints it, and what a dispatch makes of it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyResult, HELPER_LOST, type LaminarcExit } from "../../src/laminar/classify-result.ts";

function exit(fields: Partial<LaminarcExit>): LaminarcExit {
  return { exitCode: 0, signal: null, stdout: "", stderr: "", timedOut: false, ...fields };
}

test("exit 0 with `job:N` is queued with that run", () => {
  assert.deepEqual(classifyResult(exit({ stdout: "hello:1\n", job: "hello" })), { kind: "queued", run: "hello:1" });
  assert.deepEqual(classifyResult(exit({ stdout: "hello:42" })), { kind: "queued", run: "hello:42" });
  // Two jobs in one call: the requested job's line is taken.
  assert.deepEqual(classifyResult(exit({ stdout: "other:3\nhello:4\n", job: "hello" })), { kind: "queued", run: "hello:4" });
});

test("exit 0 without a run number is retried, saying what it printed", () => {
  const outcome = classifyResult(exit({ stdout: "hello" }));
  assert.equal(outcome.kind, "retry");
  assert.match(outcome.kind === "retry" ? outcome.message : "", /no run number.*hello/);
});

test("an unknown job is permanent and says how to fix it", () => {
  const outcome = classifyResult(exit({ exitCode: 2, stderr: "Failed to queue job 'nosuchjob'\n", job: "nosuchjob" }));
  assert.equal(outcome.kind, "permanent");
  assert.match(outcome.kind === "permanent" ? outcome.message : "", /cfg\/jobs\/nosuchjob\.run.*Failed to queue job 'nosuchjob'/);
});

test("a remote exception (`/` in the name) is permanent", () => {
  const stderr = "remote exception: kj/filesystem.c++:312: failed: '/' character in path component; part = a/b";
  const outcome = classifyResult(exit({ exitCode: 2, stderr }));
  assert.equal(outcome.kind, "permanent");
  assert.match(outcome.kind === "permanent" ? outcome.message : "", /'\/' character in path component/);
});

test("a usage error (exit 1) is permanent", () => {
  const outcome = classifyResult(exit({ exitCode: 1, stderr: "Usage: laminarc [-h|--help] COMMAND\n  queue JOB_LIST..." }));
  assert.equal(outcome.kind, "permanent");
  assert.match(outcome.kind === "permanent" ? outcome.message : "", /usage.*Usage: laminarc/);
});

for (const [stderr, advice] of [
  ["connect(): Connection refused", /laminard is not running.*connection refused.*laminarc said: connect\(\): Connection refused/],
  ["connect(): No such file or directory", /not running or laminar\.host is wrong.*No such file or directory/],
  ["connect(): Permission denied", /laminard's group.*Permission denied/],
  ["DNS lookup failed. garbage: Name or service not known", /laminar\.host.*DNS lookup failed/],
] as const) {
  test(`\`${stderr}\` is retried with advice`, () => {
    const outcome = classifyResult(exit({ exitCode: 2, stderr }));
    assert.equal(outcome.kind, "retry");
    assert.match(outcome.kind === "retry" ? outcome.message : "", advice);
  });
}

test("a timeout (frozen laminard) is retried once laminard is asked: laminard may have queued it (unknown)", () => {
  assert.deepEqual(classifyResult(exit({ exitCode: null, signal: "SIGKILL", timedOut: true, timeoutMs: 30_000 })), {
    kind: "retry",
    message: "laminarc did not answer within 30s; killed. laminard may be frozen or overloaded",
    unknown: true,
  });
  const outcome = classifyResult(exit({ exitCode: null, signal: "SIGKILL", timedOut: true, timeoutMs: 250 }));
  assert.match(outcome.kind === "retry" ? outcome.message : "", /within 250ms; killed/);
});

test("laminarc that cannot be started is retried with what to fix", () => {
  const notFound = classifyResult(exit({ exitCode: null, laminarc: "laminarc", spawnError: { code: "ENOENT", message: "spawn laminarc ENOENT" } }));
  assert.equal(notFound.kind, "retry");
  assert.match(notFound.kind === "retry" ? notFound.message : "", /"laminarc" was not found.*absolute path/);
  const notExecutable = classifyResult(exit({ exitCode: null, laminarc: "/opt/l", spawnError: { code: "EACCES", message: "spawn /opt/l EACCES" } }));
  assert.equal(notExecutable.kind, "retry");
  assert.match(notExecutable.kind === "retry" ? notExecutable.message : "", /"\/opt\/l" is not executable/);
  assert.equal(classifyResult(exit({ exitCode: null, spawnError: { code: "E2BIG", message: "spawn E2BIG" } })).kind, "permanent");
  assert.equal(classifyResult(exit({ exitCode: null, spawnError: { code: "EMFILE", message: "too many files" } })).kind, "retry");
});

test("anything else is retried, never dropped", () => {
  for (const fields of [
    { exitCode: 3, stderr: "something new" },
    { exitCode: 2, stderr: "" },
    { exitCode: 127, stderr: "weird" },
    { exitCode: null, signal: "SIGSEGV" },
  ]) {
    const outcome = classifyResult(exit(fields));
    assert.equal(outcome.kind, "retry", JSON.stringify(fields));
  }
  const outcome = classifyResult(exit({ exitCode: 3, stderr: "something new\nsecond line" }));
  assert.equal(outcome.kind === "retry" ? outcome.message : "", 'laminarc failed with exit code 3: something new / second line');
});

test("a shutdown is retried, not failed; one that killed a running laminarc leaves its outcome unknown", () => {
  assert.deepEqual(classifyResult(exit({ exitCode: null, signal: "SIGKILL", canceled: true })), {
    kind: "retry", unknown: true,
    message: "laminarc was stopped because laminar-hooks is shutting down; the job stays pending and is queued after the restart",
  });
  // Canceled before it started: nothing ran.
  const notStarted = classifyResult(exit({ exitCode: null, signal: null, canceled: true }));
  assert.equal(notStarted.kind === "retry" && notStarted.unknown, undefined);
});

test("a laminarc killed by a signal, or whose helper died, may have queued the job: unknown; a refusal is known", () => {
  assert.equal((classifyResult(exit({ exitCode: null, signal: "SIGSEGV" })) as { unknown?: boolean }).unknown, true);
  const lost = classifyResult(exit({ exitCode: null, spawnError: { code: HELPER_LOST, message: "the helper that starts laminarc died; whether laminarc ran is unknown" } }));
  assert.deepEqual(lost, { kind: "retry", unknown: true, message: "the helper that starts laminarc died; whether laminarc ran is unknown" });
  assert.equal((classifyResult(exit({ exitCode: 2, stderr: "connect(): Connection refused" })) as { unknown?: boolean }).unknown, undefined);
  assert.equal((classifyResult(exit({ exitCode: 2, stderr: "DNS lookup failed. blah" })) as { unknown?: boolean }).unknown, undefined);
});

test("a failure laminarc does not explain may come after laminard queued the run: unknown, asked before it is made again", () => {
  // laminard restarted while the call waited for its answer: the connection dropped after the run was queued.
  const dropped = classifyResult(exit({ exitCode: 2, stderr: "kj/async-io-unix.c++:186: disconnected: read(): Connection reset by peer" }));
  assert.equal(dropped.kind === "retry" && dropped.unknown, true);
  const silent = classifyResult(exit({ exitCode: 0, stdout: "" }));
  assert.equal(silent.kind === "retry" && silent.unknown, true);
});

test("long output is cut in the message", () => {
  const outcome = classifyResult(exit({ exitCode: 4, stderr: "x".repeat(5000) }));
  assert.ok(outcome.kind === "retry" && outcome.message.length < 700);
});
