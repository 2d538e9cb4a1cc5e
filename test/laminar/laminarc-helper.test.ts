// LaminarcHelper, the one way the service starts laminarc, against the fake laminarc
// (test/fixtures/fake-laminarc.js), a real child process: either helper process (the native
// src/laminar/spawn-helper.c, built by `npm ci`, and its fallback, the Node
// src/laminar/spawn-helper.ts) must give the same results and never leave a laminarc behind.
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { constants, getPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { availableHelperKind, LAMINARC_NICENESS, type HelperKind } from "../../src/laminar/helper-channel.ts";
import { LaminarcHelper } from "../../src/laminar/laminarc-helper.ts";
import type { JobRequest } from "../../src/types.ts";
import { createFakeLaminar, FAKE_LAMINARC, processExists, waitFor, type FakeLaminar } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";

/**
 * The most a wait may take: laminarc runs niced below the service, and on a machine busy with
 * other work the fake (a Node process) can take seconds to start. A bound, never a sleep.
 */
const PATIENCE = 30_000;

const fakes: FakeLaminar[] = [];
const helpers: LaminarcHelper[] = [];
after(async () => {
  await Promise.all(helpers.map((helper) => helper.close()));
  fakes.forEach((fake) => fake.remove());
});

/** `/autogroup-ID nice N`, as /proc/PID/autogroup reads. */
function autogroup(text: string | null): { id: string; nice: number } | undefined {
  const match = /^(\/autogroup-\d+) nice (-?\d+)/.exec(text ?? "");
  return match === null ? undefined : { id: match[1]!, nice: Number(match[2]) };
}

test("npm ci built the native helper, so the service uses it", () => {
  assert.equal(availableHelperKind(), "native", "build/spawn-helper is missing: run npm run build (it needs a C compiler)");
});

for (const kind of ["native", "node"] as const satisfies readonly HelperKind[]) {
describe(`the ${kind} helper`, () => {
function setup(options: { mode?: string; jobs?: readonly string[] } = {}) {
  const fake = createFakeLaminar(options);
  fakes.push(fake);
  const helper = new LaminarcHelper({ kind });
  helpers.push(helper);
  return { fake, helper, options: { laminarc: FAKE_LAMINARC, timeoutMs: 5000, env: fake.env } };
}

const scriptDirs: string[] = [];
after(() => scriptDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A tiny program standing in for laminarc: `name` in a temp folder, with `body` after the shebang. */
function program(name: string, body: string, mode = 0o755): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "lh-program-"));
  scriptDirs.push(dir);
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, mode);
  return { dir, file };
}

const request: JobRequest = { job: "hello", params: { rev: "abc" }, host: "unix-abstract:laminar", reason: "test" };

test("queues one job and reads its run; laminarc gets the exact arguments and environment", async () => {
  const { fake, helper, options } = setup({ jobs: ["hello"] });
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
  const result = await helper.run({ job: "hello", params, host: "unix:/run/laminar.sock", reason }, { ...options, env });
  assert.deepEqual(result.outcome, { kind: "queued", run: "hello:1" });
  assert.equal(result.exitCode, 0);
  assert.equal(result.signal, null);
  assert.equal(result.timedOut, false);
  assert.equal(result.stdout, "hello:1", "without the final newline");
  const [call] = fake.calls();
  assert.deepEqual(call?.argv, ["queue", "hello", ...Object.entries(params).map(([k, v]) => `${k}=${v}`)]);
  assert.deepEqual(call?.env, { LAMINAR_HOST: "unix:/run/laminar.sock", LAMINAR_REASON: reason, JOB: false, RUN: false, __LAMINAR_SETENV_PIPE: false });
});

test("laminarc runs at a lower CPU priority than the service", async () => {
  const { fake, helper, options } = setup();
  const result = await helper.run(request, options);
  assert.equal(result.outcome.kind, "queued");
  const call = fake.calls()[0]!;
  const service = getPriority();
  assert.ok(call.nice > service, `laminarc's nice ${call.nice}, the service's ${service}`);
  assert.equal(call.nice, Math.min(19, service + LAMINARC_NICENESS));
  // Where the kernel shares the CPU out by session first (sched_autogroup), nice values compare
  // only inside one group: laminarc is in the service's group, or in one niced below it.
  const ours = autogroup(existsSync("/proc/self/autogroup") ? readFileSync("/proc/self/autogroup", "utf8") : null);
  const theirs = autogroup(call.autogroup);
  if (ours !== undefined && theirs !== undefined && theirs.id !== ours.id) {
    assert.ok(theirs.nice > ours.nice, `laminarc's autogroup ${call.autogroup} is not below the service's`);
  }
});

test("runs in parallel; run numbers increase per job", async () => {
  const { helper, options } = setup({ jobs: ["hello"] });
  const runs = await Promise.all([1, 2, 3, 4].map(() => helper.run(request, options)));
  assert.deepEqual(runs.map((r) => (r.outcome.kind === "queued" ? r.outcome.run : "?")).sort(), ["hello:1", "hello:2", "hello:3", "hello:4"]);
});

test("an unknown job is a permanent failure with laminarc's message", async () => {
  const { helper, options } = setup({ jobs: ["other"] });
  const unknown = await helper.run({ ...request, job: "nosuchjob" }, options);
  assert.equal(unknown.outcome.kind, "permanent");
  assert.equal(unknown.exitCode, 2);
  assert.equal(unknown.stderr, "Failed to queue job 'nosuchjob'");
  assert.match(unknown.outcome.kind === "permanent" ? unknown.outcome.message : "", /Failed to queue job 'nosuchjob'/);
});

test("a `/` in the job name is refused by laminard: permanent", async () => {
  const { helper, options } = setup();
  const result = await helper.run({ ...request, job: "../evil" }, options);
  assert.equal(result.outcome.kind, "permanent");
  assert.match(result.stderr, /remote exception/);
});

for (const mode of ["refused", "nosocket", "denied", "dns"]) {
  test(`laminard unreachable (${mode}) is retried`, async () => {
    const { fake, helper, options } = setup({ mode });
    const result = await helper.run(request, options);
    assert.equal(result.outcome.kind, "retry");
    assert.equal(result.exitCode, 2);
    assert.equal(fake.calls().length, 1);
  });
}

test("an unanticipated failure is retried", async () => {
  const { helper, options } = setup({ mode: "exit:3" });
  const result = await helper.run(request, options);
  assert.equal(result.outcome.kind, "retry");
  assert.equal(result.exitCode, 3);
});

test("a value no argument can carry is a permanent failure, and nothing runs", async () => {
  const { fake, helper, options } = setup();
  const bad = await helper.run({ ...request, params: { bad: "a\0b" } }, options);
  assert.equal(bad.outcome.kind, "permanent");
  assert.equal(fake.calls().length, 0);
});

test("a laminarc that never answers is killed at the timeout and retried", async () => {
  const { fake, helper, options } = setup({ mode: "hang" });
  const started = Date.now();
  // Long enough for the fake (a node process) to start and record itself on a loaded machine.
  const result = await helper.run(request, { ...options, timeoutMs: 1000 });
  assert.ok(Date.now() - started < 4000);
  assert.equal(result.timedOut, true);
  assert.equal(result.signal, "SIGKILL");
  assert.deepEqual(result.outcome, { kind: "retry", message: "laminarc did not answer within 1s; killed. laminard may be frozen or overloaded" });
  // (A fake starved of CPU may have been killed before it could record itself.)
  for (const call of fake.calls()) assert.equal(processExists(call.pid), false);
});

test("aborting the cancel signal kills laminarc at once", async () => {
  const { fake, helper, options } = setup({ mode: "hang" });
  const controller = new AbortController();
  const running = helper.run(request, { ...options, timeoutMs: 60_000, cancelSignal: controller.signal });
  const call = await waitFor(() => fake.calls()[0], PATIENCE, "the fake to start");
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
  const call = await waitFor(() => fake.calls()[0], PATIENCE, "the fake to start");
  await helper.close();
  const result = await running;
  assert.equal(result.outcome.kind, "retry");
  await waitFor(() => !processExists(call.pid), PATIENCE, "laminarc to be gone");
});

test("a helper that dies is replaced; the attempt it had is retried, not lost", async () => {
  const { fake, helper, options } = setup({ mode: "hang" });
  const running = helper.run(request, { ...options, timeoutMs: 60_000 });
  const call = await waitFor(() => fake.calls()[0], PATIENCE, "the fake to start");
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
test("Ctrl-C (SIGINT) stops neither the helper nor laminarc, which runs in a process group of its own", async () => {
  const { fake, helper, options } = setup({ mode: "hang" });
  const controller = new AbortController();
  const running = helper.run(request, { ...options, timeoutMs: 60_000, cancelSignal: controller.signal });
  const call = await waitFor(() => fake.calls()[0], PATIENCE, "the fake to start");
  const stat = (pid: number) => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const helperPid = Number(stat(call.pid)[1]);
  assert.notEqual(stat(call.pid)[2], stat(helperPid)[2], "laminarc's process group is not the helper's (the terminal's)");
  // Ignored (native) or caught by a handler that does nothing (Node): SIGINT's default action,
  // ending the process, is off. It is checked before sending, as nothing later would show it.
  const mask = (field: string) => BigInt(`0x${new RegExp(`^${field}:\\s*([0-9a-f]+)$`, "m").exec(readFileSync(`/proc/${helperPid}/status`, "utf8"))?.[1] ?? "0"}`);
  const sigint = BigInt(constants.signals.SIGINT - 1);
  assert.equal(((mask("SigIgn") | mask("SigCgt")) >> sigint) & 1n, 1n, "the helper ignores or handles SIGINT");
  process.kill(helperPid, "SIGINT");
  controller.abort();
  const result = await running;
  // A helper killed by the SIGINT would have been answered as gone, and its laminarc killed with it.
  assert.match(result.outcome.kind === "retry" ? result.outcome.message : "", /shutting down/, "answered by the helper, not lost with it");
  assert.equal(result.signal, "SIGKILL", "laminarc lived until the cancel killed it");
  assert.ok(processExists(helperPid), "the helper is still there");
  assert.equal(processExists(call.pid), false);
});

test("a bare name is looked up on the PATH laminarc is given", async () => {
  const { helper, options } = setup();
  const { dir } = program("laminarc", 'echo "$2:7"');
  const result = await helper.run(request, { ...options, laminarc: "laminarc", env: { PATH: `/nonexistent:${dir}` } });
  assert.deepEqual(result.outcome, { kind: "queued", run: "hello:7" });
});

test("a laminarc that is not executable is retried with what to fix", async () => {
  const { helper, options } = setup();
  const { file } = program("laminarc", "echo never", 0o644);
  const result = await helper.run(request, { ...options, laminarc: file });
  assert.match(result.outcome.kind === "retry" ? result.outcome.message : "", /is not executable by this user/);
});

test("more output than laminarc ever prints: killed, and the output kept is bounded", async () => {
  const { helper, options } = setup();
  const { file } = program("laminarc", "while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done");
  const result = await helper.run(request, { ...options, laminarc: file });
  assert.equal(result.signal, "SIGKILL");
  assert.ok(result.stdout.length <= 64 * 1024 && result.stdout.length > 60 * 1024, `kept ${result.stdout.length} characters`);
  assert.equal(result.timedOut, false);
  assert.equal(result.outcome.kind, "retry");
});

test("stdout and stderr come back apart, exit codes and signals as Node reports them", async () => {
  const { helper, options } = setup();
  const { file } = program("laminarc", 'echo "out line"; echo "connect(): Connection refused" >&2; exit 2');
  const refused = await helper.run(request, { ...options, laminarc: file });
  assert.equal(refused.exitCode, 2);
  assert.equal(refused.stdout, "out line");
  assert.equal(refused.stderr, "connect(): Connection refused");
  assert.equal(refused.outcome.kind, "retry");
  const { file: killer } = program("laminarc", "kill -TERM $$");
  const killed = await helper.run(request, { ...options, laminarc: killer });
  assert.equal(killed.exitCode, null);
  assert.equal(killed.signal, "SIGTERM");
});
});
}

describe("abort", () => {
  /** A fake laminard with one job, the fake laminarc asking it, and the helper the service uses. */
  async function setupAbort(t: { after(fn: () => Promise<void>): void }, mode?: string) {
    const laminard = await FakeLaminard.start({ jobs: ["hello"] });
    const fake = createFakeLaminar(mode === undefined ? {} : { mode });
    const helper = new LaminarcHelper();
    t.after(async () => {
      await helper.close();
      await laminard.close();
      fake.remove();
    });
    const options = { laminarc: FAKE_LAMINARC, timeoutMs: 30_000, host: "unix-abstract:the-laminard", env: { ...fake.env, FAKE_LAMINARD: laminard.controlUrl } };
    return { laminard, fake, helper, options };
  }

  test("a running run is aborted: exit 0, and laminard ends it `aborted`", async (t) => {
    const { laminard, fake, helper, options } = await setupAbort(t);
    laminard.queue("hello", [], "push");
    laminard.startRun("hello", 1);
    assert.deepEqual(await helper.abort("hello", 1, options), { kind: "aborted" });
    assert.equal(laminard.run("hello", 1)?.result, "aborted");
    const [call] = fake.calls();
    assert.deepEqual(call?.argv, ["abort", "hello", "1"]);
    assert.equal(call?.env.LAMINAR_HOST, "unix-abstract:the-laminard");
    assert.equal(call?.outcome, "aborted");
  });

  test("a queued, finished or unknown run is not running: exit 2, and nothing changes", async (t) => {
    const { laminard, helper, options } = await setupAbort(t);
    laminard.queue("hello", [], "push");
    laminard.queue("hello", [], "push");
    laminard.completeRun("hello", 2, "success");
    for (const run of [1, 2, 3]) {
      const result = await helper.abort("hello", run, options);
      assert.equal(result.kind, "not-running", `run ${run}`);
      assert.match(result.kind === "not-running" ? result.message : "", new RegExp(`hello:${run}`));
    }
    assert.equal(laminard.run("hello", 1)?.result, "queued", "the queued run still starts later");
    assert.equal(laminard.run("hello", 2)?.result, "success");
  });

  test("laminard down: failed, with what laminarc said", async (t) => {
    const { laminard, helper, options } = await setupAbort(t);
    await laminard.down();
    const result = await helper.abort("hello", 1, options);
    assert.equal(result.kind, "failed");
    assert.match(result.kind === "failed" ? result.message : "", /laminard is not running.*Connection refused/);
    assert.equal(result.kind === "failed" && result.timedOut, false);
  });

  test("a laminarc abort that never answers is killed at the timeout: failed, timed out", async (t) => {
    const { fake, helper, options } = await setupAbort(t, "hang");
    const result = await helper.abort("hello", 1, { ...options, timeoutMs: 1000 });
    assert.deepEqual(result, { kind: "failed", message: "laminarc did not answer within 1s; killed. laminard may be frozen or overloaded", timedOut: true });
    for (const call of fake.calls()) assert.equal(processExists(call.pid), false);
  });

  test("a run number laminarc would misread starts nothing", async (t) => {
    const { fake, helper, options } = await setupAbort(t);
    for (const run of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
      const result = await helper.abort("hello", run, options);
      assert.equal(result.kind, "failed", String(run));
      assert.match(result.kind === "failed" ? result.message : "", /is not a run number/);
    }
    assert.equal((await helper.abort("", 1, options)).kind, "failed");
    assert.deepEqual(fake.calls(), []);
  });
});
