// DESIGN.md guarantee 4: laminarc children never outlive the service as orphans, whichever process
// dies and however. With laminarc calls hanging (a frozen laminard), the spawn helper is SIGKILLed,
// then the service itself (a real `bin/laminar-hooks.js serve`): every process left is found by
// the marker only this test's processes carry (FAKE_LAMINAR_DIR naming its own temp folder, which
// the service, its helper and each laminarc inherit), and /proc is polled until they are gone.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SPAWN_HELPER } from "../../src/laminar/helper-channel.ts";
import { LaminarcHelper } from "../../src/laminar/laminarc-helper.ts";
import { createFakeLaminar, FAKE_LAMINARC, type FakeLaminar } from "../fixtures/fake-laminar-dir.ts";
import { startChildService } from "../support/child-service.ts";
import { fakeProcesses, sendPush } from "./fault-kit.ts";
import { CONCURRENCY, writeConfig } from "./sigterm-kit.ts";

/** How long the kernel and the helper get to end what is left; a bound, not a wait. */
const DEADLINE_MS = 15_000;

/** Polls /proc until none of this fake's processes is left, or fails naming the ones that are. */
async function noneLeft(fake: FakeLaminar, what: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const left = fakeProcesses(fake.dir);
    if (left.length === 0) return;
    if (Date.now() > deadline) assert.fail(`${what}: still running after ${DEADLINE_MS} ms: ${left.map(describe).join("; ")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Polls until `count` laminarc calls hang (each records itself when it starts). */
async function hanging(fake: FakeLaminar, count: number): Promise<number[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const pids = fake.calls().filter((call) => call.outcome === "hang").map((call) => call.pid);
    if (pids.length >= count) return pids;
    if (Date.now() > deadline) assert.fail(`only ${pids.length} of ${count} laminarc calls started`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function parentOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
}

function describe(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, "latin1").replaceAll("\0", " ").trim()}`;
  } catch {
    return `${pid}`;
  }
}

/** Whatever a failing run leaves is this test's own: killed by pid, so no later test meets it. */
function killLeftovers(fake: FakeLaminar): void {
  for (const pid of fakeProcesses(fake.dir)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
}

test("the helper SIGKILLed while laminarc calls hang: the kernel kills every laminarc it started; their attempts say the helper died", async () => {
  const fake = createFakeLaminar({ mode: "hang" });
  const helper = new LaminarcHelper();
  try {
    const options = { laminarc: FAKE_LAMINARC, timeoutMs: 600_000, env: fake.env };
    const request = { job: "hello", params: {}, host: "", reason: "orphans" };
    const sent = performance.now();
    const attempts = [1, 2, 3].map(() => helper.run(request, options));
    const pids = await hanging(fake, 3);
    const beforeKill = performance.now() - sent;
    const helperPid = parentOf(pids[0]!);
    assert.equal(readlinkSync(`/proc/${helperPid}/exe`), SPAWN_HELPER);
    assert.deepEqual(fakeProcesses(fake.dir).sort(), [...pids].sort(), "only the laminarc calls carry the marker here");

    process.kill(helperPid, "SIGKILL");
    for (const result of await Promise.all(attempts)) {
      assert.equal(result.outcome.kind, "retry");
      assert.match(result.outcome.kind === "retry" ? result.outcome.message : "", /the helper that starts laminarc (exited \(SIGKILL\)|went away); whether laminarc ran is unknown/);
      // It ran from when it was sent: laminard is searched from then for a run it may have queued.
      // (Half of it at least: the first run also started the helper, so the others were sent later; 0 before.)
      assert.ok(result.durationMs >= beforeKill / 2, `${result.durationMs} ms, sent ${Math.round(beforeKill)} ms before the helper died`);
    }
    await noneLeft(fake, "laminarc after its helper was SIGKILLed");
  } finally {
    killLeftovers(fake);
    await helper.close();
    fake.remove();
  }
});

test("the service SIGKILLed while laminarc calls hang: neither its helper nor any laminarc is left", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lh-orphans-"));
  const fake = createFakeLaminar({ mode: "hang" });
  try {
    const service = await startChildService(writeConfig(dir, "10m"), fake.env, { built: true });
    for (let n = 0; n < CONCURRENCY; n++) assert.equal((await sendPush(service.url, `orphan-${n}`)).status, 202);
    const pids = await hanging(fake, CONCURRENCY);
    const helperPid = parentOf(pids[0]!);
    assert.equal(parentOf(helperPid), service.child.pid, "laminarc's parent is the service's helper");
    assert.deepEqual(fakeProcesses(fake.dir).sort(), [service.child.pid!, helperPid, ...pids].sort(), "the service, its helper and each laminarc carry the marker");

    service.child.kill("SIGKILL");
    assert.deepEqual(await service.exited, { code: null, signal: "SIGKILL" });
    await noneLeft(fake, "the helper and laminarc after the service was SIGKILLed");
  } finally {
    killLeftovers(fake);
    fake.remove();
    rmSync(dir, { recursive: true, force: true });
  }
});
