// The service SIGKILLed while a laminarc attempt is in flight, and started again on the same
// journal: the attempt's outcome is unknown, so laminard is asked (its run snapshots carry each
// run's reason) before anything is queued again. One queued before the kill is followed, never
// queued twice; one that queued nothing is queued once (DESIGN.md guarantee 3).

import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import Database from "better-sqlite3";
import { waitFor, type FakeLaminar } from "../fixtures/fake-laminar-dir.ts";
import { serviceOnDisk, type ServiceOnDisk } from "../support/child-service.ts";
import { payload } from "../support/payloads.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders } from "../support/test-service.ts";

const push5 = payload("github/push-5.json");

interface DispatchRow {
  status: string;
  run: string | null;
  doubt_since: number | null;
}

/** The one dispatch and its runs, from the test's own read-only connection. */
function journalView(path: string): { dispatch: DispatchRow | undefined; runs: { number: number; state: string }[] } {
  const database = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return {
      dispatch: database.prepare<[], DispatchRow>("SELECT status, run, doubt_since FROM dispatches").get(),
      runs: database.prepare<[], { number: number; state: string }>("SELECT number, state FROM runs ORDER BY id").all(),
    };
  } finally {
    database.close();
  }
}

function setup(t: TestContext, mode: string): Promise<ServiceOnDisk> {
  return serviceOnDisk(t, {
    prefix: "lh-kill-attempt-",
    mode,
    // A long timeout: the attempt is still in flight when the service is killed.
    laminar: ["timeout: 60s", "retry: { attempts: 5, delay: 50ms, max_delay: 200ms }"],
    rest: `
forges:
  github: { secret: topsecret }
repositories:
  - repo: Codertocat/Hello-World
    jobs: [{ job: hello, events: [push] }]
`,
    afterKill: killHanging,
  });
}

/** The laminarc calls that still hang: this test started them (through the service it killed). */
function killHanging(fake: FakeLaminar): void {
  for (const call of fake.calls()) {
    if (call.endedAt !== null) continue;
    try {
      process.kill(call.pid, "SIGKILL");
    } catch {
      // Gone already (its helper killed it).
    }
  }
}

async function pushAndKill(s: ServiceOnDisk, outcome: "queued-hang" | "hang"): Promise<void> {
  const first = await s.start();
  await s.laminard.waitForStreams(1);
  const answer = await fetch(`${first.url}/hooks`, { method: "POST", body: push5, headers: githubHeaders("push", `kill-attempt-${process.pid}-${outcome}`, githubSignature("topsecret", push5)) });
  assert.equal(answer.status, 202, await answer.text());
  await waitFor(() => s.fake.calls().some((call) => call.outcome === outcome) || undefined, 15_000, `the laminarc call (${outcome})`);
  first.child.kill("SIGKILL");
  await first.exited;
  killHanging(s.fake);
  assert.equal(journalView(s.journalPath).dispatch?.status, "running", "the attempt was in flight at the kill");
  s.fake.setMode("ok");
}

test("SIGKILLed while a laminarc that had queued the run hangs: after the restart the run is found by its reason and followed, not queued again", async (t) => {
  const s = await setup(t, "queue-hang");
  await pushAndKill(s, "queued-hang");
  assert.equal(s.laminard.queueCalls.length, 1);

  const second = await s.start();
  const view = await waitFor(() => {
    const current = journalView(s.journalPath);
    return current.dispatch?.status === "done" ? current : undefined;
  }, 15_000, "the dispatch to be settled after the restart");
  assert.equal(view.dispatch?.run, "hello:1");
  assert.equal(view.dispatch?.doubt_since, null);
  assert.deepEqual(view.runs, [{ number: 1, state: "queued" }]);
  assert.ok(second.logs.some((line) => /in flight when laminar-hooks last stopped/.test(String(line["msg"]))));
  s.laminard.completeRun("hello", 1, "success");
  await waitFor(() => journalView(s.journalPath).runs[0]?.state === "success" || undefined, 15_000, "hello:1 followed to success");
  assert.equal(s.laminard.queueCalls.length, 1, "laminard was asked to queue the push once");
  assert.equal(s.fake.calls().length, 1, "laminarc was not run again");
});

test("SIGKILLed while a laminarc that queued nothing hangs: after the restart laminard has no such run, and it is queued once", async (t) => {
  const s = await setup(t, "hang");
  await pushAndKill(s, "hang");
  assert.equal(s.laminard.queueCalls.length, 0);

  await s.start();
  const view = await waitFor(() => {
    const current = journalView(s.journalPath);
    return current.dispatch?.status === "done" ? current : undefined;
  }, 15_000, "the dispatch to be queued after the restart");
  assert.equal(view.dispatch?.run, "hello:1");
  assert.equal(s.laminard.queueCalls.length, 1);
  assert.match(s.laminard.queueCalls[0]?.reason ?? "", / \[dispatch 1, try 2\]$/);
});
