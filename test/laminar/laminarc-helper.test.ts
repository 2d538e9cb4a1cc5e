// LaminarcHelper: laminarc started by the helper process (src/laminar/spawn-helper.ts) must give
// the same results as runLaminarc, and never leave a laminarc behind.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { LaminarcHelper } from "../../src/laminar/laminarc-helper.ts";
import type { JobRequest } from "../../src/types.ts";
import { createFakeLaminar, FAKE_LAMINARC, processExists, waitFor, type FakeLaminar } from "../fixtures/fake-laminar-dir.ts";

const fakes: FakeLaminar[] = [];
const helpers: LaminarcHelper[] = [];
after(async () => {
  await Promise.all(helpers.map((helper) => helper.close()));
  fakes.forEach((fake) => fake.remove());
});

function setup(options: { mode?: string; jobs?: readonly string[] } = {}) {
  const fake = createFakeLaminar(options);
  fakes.push(fake);
  const helper = new LaminarcHelper();
  helpers.push(helper);
  return { fake, helper, options: { laminarc: FAKE_LAMINARC, timeoutMs: 5000, env: fake.env } };
}

const request: JobRequest = { job: "hello", params: { rev: "abc" }, host: "unix-abstract:laminar", reason: "test" };

test("queues a job with the exact arguments and environment, as runLaminarc does", async () => {
  const { fake, helper, options } = setup({ jobs: ["hello"] });
  const params = { rev: "3f2c1a9", title: "it's \"done\"\nsecond line $HOME `id`", unicode: "ünïcödé 🚀", empty: "", eq: "a=b=c" };
  const reason = "GitHub push to sbrl/wiki master (3f2c1a9) by sbrl";
  const env = { ...fake.env, JOB: "outer", RUN: "12", __LAMINAR_SETENV_PIPE: "5" };
  const result = await helper.run({ job: "hello", params, host: "unix:/run/laminar.sock", reason }, { ...options, env });
  assert.deepEqual(result.outcome, { kind: "queued", run: "hello:1" });
  assert.equal(result.exitCode, 0);
  assert.equal(result.stdout, "hello:1", "without the final newline");
  const [call] = fake.calls();
  assert.deepEqual(call?.argv, ["queue", "hello", ...Object.entries(params).map(([k, v]) => `${k}=${v}`)]);
  assert.deepEqual(call?.env, { LAMINAR_HOST: "unix:/run/laminar.sock", LAMINAR_REASON: reason, JOB: false, RUN: false, __LAMINAR_SETENV_PIPE: false });
});

test("runs in parallel, and classifies failures as runLaminarc does", async () => {
  const { helper, options } = setup({ jobs: ["hello"] });
  const runs = await Promise.all([1, 2, 3].map(() => helper.run(request, options)));
  assert.deepEqual(runs.map((r) => (r.outcome.kind === "queued" ? r.outcome.run : "?")).sort(), ["hello:1", "hello:2", "hello:3"]);
  const unknown = await helper.run({ ...request, job: "nosuchjob" }, options);
  assert.equal(unknown.outcome.kind, "permanent");
  assert.equal(unknown.stderr, "Failed to queue job 'nosuchjob'");
  const bad = await helper.run({ ...request, params: { bad: "a\0b" } }, options);
  assert.equal(bad.outcome.kind, "permanent");
});

test("a laminarc that never answers is killed at the timeout and retried", async () => {
  const { fake, helper, options } = setup({ mode: "hang" });
  const result = await helper.run(request, { ...options, timeoutMs: 1000 });
  assert.equal(result.timedOut, true);
  assert.equal(result.signal, "SIGKILL");
  assert.deepEqual(result.outcome, { kind: "retry", message: "laminarc did not answer within 1s; killed. laminard may be frozen or overloaded" });
  assert.equal(processExists(fake.calls()[0]!.pid), false);
});

test("aborting the cancel signal kills laminarc at once", async () => {
  const { fake, helper, options } = setup({ mode: "hang" });
  const controller = new AbortController();
  const running = helper.run(request, { ...options, timeoutMs: 60_000, cancelSignal: controller.signal });
  const call = await waitFor(() => fake.calls()[0], 5000, "the fake to start");
  controller.abort();
  const result = await running;
  assert.match(result.outcome.kind === "retry" ? result.outcome.message : "", /shutting down/);
  assert.equal(processExists(call.pid), false);
});

test("a laminarc that is not there is retried with what to fix", async () => {
  const { fake, helper, options } = setup();
  const missing = await helper.run(request, { ...options, laminarc: join(fake.dir, "no-laminarc") });
  assert.match(missing.outcome.kind === "retry" ? missing.outcome.message : "", /was not found.*laminar\.laminarc/);
  const notOnPath = await helper.run(request, { ...options, laminarc: "laminarc-that-is-not-installed", env: { PATH: fake.dir } });
  assert.match(notOnPath.outcome.kind === "retry" ? notOnPath.outcome.message : "", /"laminarc-that-is-not-installed" was not found/);
});

test("close() kills a laminarc still running: no orphan", async () => {
  const { fake, helper, options } = setup({ mode: "hang" });
  const running = helper.run(request, { ...options, timeoutMs: 60_000 });
  const call = await waitFor(() => fake.calls()[0], 5000, "the fake to start");
  await helper.close();
  const result = await running;
  assert.equal(result.outcome.kind, "retry");
  await waitFor(() => !processExists(call.pid), 2000, "laminarc to be gone");
});

test("a helper that dies is replaced; the attempt it had is retried, not lost", async () => {
  const { fake, helper, options } = setup({ mode: "hang" });
  const running = helper.run(request, { ...options, timeoutMs: 60_000 });
  const call = await waitFor(() => fake.calls()[0], 5000, "the fake to start");
  const helperPid = Number(/* the fake's parent is the helper */ (await import("node:fs")).readFileSync(`/proc/${call.pid}/stat`, "utf8").split(") ")[1]?.split(" ")[1]);
  process.kill(helperPid, "SIGKILL");
  const result = await running;
  assert.equal(result.outcome.kind, "retry");
  assert.match(result.outcome.kind === "retry" ? result.outcome.message : "", /helper/);
  process.kill(call.pid, "SIGKILL");
  fake.setMode("ok");
  const again = await helper.run(request, options);
  assert.equal(again.outcome.kind, "queued");
});
