// runLaminarc against the fake laminarc (test/fixtures/fake-laminarc.js), a real child process.
import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { execa } from "execa";
import { runLaminarc } from "../../src/laminar/run-laminarc.ts";
import type { JobRequest } from "../../src/types.ts";
import { createFakeLaminar, FAKE_LAMINARC, processExists, waitFor, type FakeLaminar } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";

const fakes: FakeLaminar[] = [];
after(() => fakes.forEach((fake) => fake.remove()));

function fakeLaminar(options: { mode?: string; jobs?: readonly string[] } = {}): FakeLaminar {
  const fake = createFakeLaminar(options);
  fakes.push(fake);
  return fake;
}

const request: JobRequest = { job: "hello", params: { rev: "abc" }, host: "unix-abstract:laminar", reason: "test" };

test("queues one job and reads its run; laminarc gets the exact arguments and environment", async () => {
  const fake = fakeLaminar({ jobs: ["hello"] });
  const params = {
    rev: "3f2c1a9",
    title: "fix: it's \"done\"\nsecond line $HOME `id` ; rm -rf /",
    unicode: "ünïcödé 🚀",
    spaces: "  lead and trail  ",
    empty: "",
    eq: "a=b=c",
  };
  const reason = "GitHub push to sbrl/wiki master (3f2c1a9) by sbrl\nwith \"quotes\" and $VARS";
  const env = { ...fake.env, JOB: "outer", RUN: "12", __LAMINAR_SETENV_PIPE: "5" };
  const result = await runLaminarc({ job: "hello", params, host: "unix:/run/laminar.sock", reason }, { laminarc: FAKE_LAMINARC, timeoutMs: 5000, env });

  assert.deepEqual(result.outcome, { kind: "queued", run: "hello:1" });
  assert.equal(result.exitCode, 0);
  assert.equal(result.signal, null);
  assert.equal(result.timedOut, false);
  assert.equal(result.stdout, "hello:1");
  const [call] = fake.calls();
  assert.deepEqual(call?.argv, ["queue", "hello", ...Object.entries(params).map(([k, v]) => `${k}=${v}`)]);
  assert.deepEqual(call?.env, { LAMINAR_HOST: "unix:/run/laminar.sock", LAMINAR_REASON: reason, JOB: false, RUN: false, __LAMINAR_SETENV_PIPE: false });
});

test("run numbers increase per job", async () => {
  const fake = fakeLaminar();
  const options = { laminarc: FAKE_LAMINARC, timeoutMs: 5000, env: fake.env };
  const runs = await Promise.all([1, 2, 3, 4].map(() => runLaminarc(request, options)));
  const numbers = runs.map((r) => (r.outcome.kind === "queued" ? r.outcome.run : "?")).sort();
  assert.deepEqual(numbers, ["hello:1", "hello:2", "hello:3", "hello:4"]);
});

test("an unknown job is a permanent failure with laminarc's message", async () => {
  const fake = fakeLaminar({ jobs: ["other"] });
  const result = await runLaminarc(request, { laminarc: FAKE_LAMINARC, timeoutMs: 5000, env: fake.env });
  assert.equal(result.outcome.kind, "permanent");
  assert.equal(result.exitCode, 2);
  assert.equal(result.stderr, "Failed to queue job 'hello'");
  assert.match(result.outcome.kind === "permanent" ? result.outcome.message : "", /Failed to queue job 'hello'/);
});

test("a `/` in the job name is refused by laminard: permanent", async () => {
  const fake = fakeLaminar();
  const result = await runLaminarc({ ...request, job: "../evil" }, { laminarc: FAKE_LAMINARC, timeoutMs: 5000, env: fake.env });
  assert.equal(result.outcome.kind, "permanent");
  assert.match(result.stderr, /remote exception/);
});

for (const mode of ["refused", "nosocket", "denied", "dns"]) {
  test(`laminard unreachable (${mode}) is retried`, async () => {
    const fake = fakeLaminar({ mode });
    const result = await runLaminarc(request, { laminarc: FAKE_LAMINARC, timeoutMs: 5000, env: fake.env });
    assert.equal(result.outcome.kind, "retry");
    assert.equal(result.exitCode, 2);
    assert.equal(fake.calls().length, 1);
  });
}

test("a laminarc that never answers is killed at the timeout and retried", async () => {
  const fake = fakeLaminar({ mode: "hang" });
  const started = Date.now();
  // Long enough for the fake (a node process) to start and record itself on a loaded machine.
  const result = await runLaminarc(request, { laminarc: FAKE_LAMINARC, timeoutMs: 1000, env: fake.env });
  assert.ok(Date.now() - started < 4000);
  assert.equal(result.timedOut, true);
  assert.equal(result.signal, "SIGKILL");
  assert.deepEqual(result.outcome, { kind: "retry", message: "laminarc did not answer within 1s; killed. laminard may be frozen or overloaded" });
  const [call] = fake.calls();
  assert.ok(call !== undefined);
  assert.equal(processExists(call.pid), false);
});

test("aborting the cancel signal kills laminarc at once", async () => {
  const fake = fakeLaminar({ mode: "hang" });
  const controller = new AbortController();
  const running = runLaminarc(request, { laminarc: FAKE_LAMINARC, timeoutMs: 60_000, env: fake.env, cancelSignal: controller.signal });
  const call = await waitFor(() => fake.calls()[0], 5000, "the fake to start");
  controller.abort();
  const result = await running;
  assert.equal(result.outcome.kind, "retry");
  assert.match(result.outcome.kind === "retry" ? result.outcome.message : "", /shutting down/);
  assert.equal(processExists(call.pid), false);
});

test("a laminarc that is not there, or not executable, is retried with what to fix", async () => {
  const fake = fakeLaminar();
  const missing = await runLaminarc(request, { laminarc: join(fake.dir, "no-laminarc"), timeoutMs: 5000, env: fake.env });
  assert.equal(missing.outcome.kind, "retry");
  assert.match(missing.outcome.kind === "retry" ? missing.outcome.message : "", /was not found.*laminar\.laminarc/);

  const notOnPath = await runLaminarc(request, { laminarc: "laminarc-that-is-not-installed", timeoutMs: 5000, env: { PATH: fake.dir } });
  assert.match(notOnPath.outcome.kind === "retry" ? notOnPath.outcome.message : "", /"laminarc-that-is-not-installed" was not found/);

  const plain = join(fake.dir, "not-executable");
  writeFileSync(plain, "#!/bin/sh\n");
  chmodSync(plain, 0o644);
  const denied = await runLaminarc(request, { laminarc: plain, timeoutMs: 5000, env: fake.env });
  assert.equal(denied.outcome.kind, "retry");
  assert.match(denied.outcome.kind === "retry" ? denied.outcome.message : "", /not executable/);
});

test("a value no argument can carry is a permanent failure, and nothing runs", async () => {
  const fake = fakeLaminar();
  const result = await runLaminarc({ ...request, params: { bad: "a\0b" } }, { laminarc: FAKE_LAMINARC, timeoutMs: 5000, env: fake.env });
  assert.equal(result.outcome.kind, "permanent");
  assert.equal(fake.calls().length, 0);
});

test("an unanticipated failure is retried", async () => {
  const fake = fakeLaminar({ mode: "exit:3" });
  const result = await runLaminarc(request, { laminarc: FAKE_LAMINARC, timeoutMs: 5000, env: fake.env });
  assert.equal(result.outcome.kind, "retry");
  assert.equal(result.exitCode, 3);
});

test("with FAKE_LAMINARD the fake laminarc queues in the fake laminard: its numbers, multi-job calls, refused while it is down", async (t) => {
  const laminard = await FakeLaminard.start({ jobs: ["a", "b"] });
  t.after(() => laminard.close());
  const fake = fakeLaminar();
  const env = { ...fake.env, FAKE_LAMINARD: laminard.controlUrl, LAMINAR_REASON: "by hand" };
  laminard.queue("a", [], "earlier");
  const multi = await execa(FAKE_LAMINARC, ["queue", "a", "x=1", "nosuch", "b", "y=2"], { env, reject: false });
  // Not atomic, as the real one: the known jobs are queued and the call still exits 2.
  assert.equal(multi.exitCode, 2);
  assert.equal(multi.stdout, "a:2\nb:1");
  assert.equal(multi.stderr, "Failed to queue job 'nosuch'");
  assert.deepEqual(laminard.queueCalls.slice(1), [
    { name: "a", number: 2, reason: "by hand", params: ["x=1"] },
    { name: "b", number: 1, reason: "by hand", params: ["y=2"] },
  ]);
  const result = await runLaminarc({ job: "b", params: {}, host: "", reason: "r" }, { laminarc: FAKE_LAMINARC, timeoutMs: 5000, env });
  assert.deepEqual(result.outcome, { kind: "queued", run: "b:2" });

  await laminard.down();
  const refused = await runLaminarc({ job: "b", params: {}, host: "", reason: "r" }, { laminarc: FAKE_LAMINARC, timeoutMs: 5000, env });
  assert.equal(refused.outcome.kind, "retry");
  assert.equal(refused.stderr.trim(), "connect(): Connection refused");
});
