// Laminar going away and coming back under a steady stream of deliveries: laminarc refusing
// connections (laminard stopped), then hanging (laminard frozen), then working again. Senders are
// answered in milliseconds throughout, hung laminarc processes are killed, and in the end every
// acknowledged delivery is queued exactly once, with its run in the journal. laminarc queues on the
// fake laminard, which laminar.http follows: on a busy machine a laminarc that queued may still be
// killed at the timeout, and laminard is asked before it is queued again (DESIGN.md guarantee 3).

import assert from "node:assert/strict";
import { test } from "node:test";
import { processExists, waitFor } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";
import { fakeProcesses, queuedByLaminard, startFaultService, streamDeliveries, type Sent } from "./fault-kit.ts";
import { HELLO_WORLD_CONFIG } from "../support/test-service.ts";

const TIMEOUT_MS = 1_000;
/** Deliveries answered in each phase: events to wait for, not a count over a time window. */
const PER_PHASE = 5;

test("refused, then hanging, then working: answers in ms, hung laminarc killed, each delivery queued once", async (t) => {
  // Each run laminard is given succeeds at once: a followed dispatch is done once its run has a result.
  const laminard = await FakeLaminard.start({ keepAliveMs: 100, autoRun: "success" });
  t.after(() => laminard.close());
  const svc = await startFaultService({
    laminar: `  http: ${laminard.url}\n  concurrency: 2\n  timeout: ${TIMEOUT_MS}ms\n  retry: { attempts: 100, delay: 50ms, max_delay: 250ms }`,
    rest: HELLO_WORLD_CONFIG,
    fakeMode: "refused",
    env: { FAKE_LAMINARD: laminard.controlUrl },
  });
  try {
    const phases: Record<string, Sent[]> = {};
    /**
     * Streams deliveries while laminarc is in `mode`, until PER_PHASE of them are answered and
     * `until()` holds: however slow the machine, each phase sees what it is there for.
     */
    const run = async (phase: string, mode: string, until: () => boolean = () => true) => {
      svc.fake.setMode(mode);
      const stream = streamDeliveries(() => svc.url, phase, 1, 120);
      await waitFor(() => stream.sent.length >= PER_PHASE && until(), 30_000, `${PER_PHASE} deliveries while laminarc is ${phase}`);
      phases[phase] = await stream.stop();
    };

    await run("refused", "refused", () => svc.fake.calls().filter((call) => /Connection refused/.test(call.stderr)).length >= 3);
    // With every slot hung, a third hung laminarc can only start once the timeout killed one.
    const hungCalls = () => svc.fake.calls().filter((call) => call.outcome === "hang");
    await run("hang", "hang", () => hungCalls().length >= 3);
    const hung = hungCalls();
    await run("ok", "ok");

    const all = Object.values(phases).flat();
    for (const [phase, sent] of Object.entries(phases)) {
      assert.ok(sent.length >= PER_PHASE, `${sent.length} deliveries sent while laminarc was ${phase}`);
      for (const answer of sent) {
        assert.equal(answer.status, 202, `${answer.id} (${phase}): ${answer.error ?? String(answer.body.message)}`);
        // Behaviour, not a benchmark: the answer never waits for laminarc, whose attempt may take the whole timeout.
        assert.ok(answer.ms < TIMEOUT_MS, `${answer.id} (${phase}) was answered after ${Math.round(answer.ms)} ms`);
      }
    }

    // Everything drains once laminarc works.
    const journal = svc.service.journal;
    const draining = performance.now();
    await waitFor(() => all.every((answer) => journal.getDelivery(answer.id)?.status === "done"), 30_000, "every delivery done");
    t.diagnostic(`${all.length} deliveries, ${svc.fake.calls().length} laminarc calls; drained in ${Math.round(performance.now() - draining)} ms`);

    // The hung processes were killed at the timeout, not left behind.
    for (const call of hung) assert.equal(processExists(call.pid), false, `hung laminarc ${call.pid} is gone`);
    assert.deepEqual(fakeProcesses(svc.fake.dir), [], "no laminarc left running");
    // Each hung laminarc is recorded, on its own delivery, as an attempt that timed out. Matched per
    // delivery, not as totals: on a busy machine a fake laminarc that is not hung (a Node process)
    // may take the whole second to start, and is rightly killed and retried too.
    const hungPerDelivery = new Map<string, number>();
    for (const call of hungCalls()) {
      const id = call.argv.find((arg) => arg.startsWith("delivery="))!.slice("delivery=".length);
      hungPerDelivery.set(id, (hungPerDelivery.get(id) ?? 0) + 1);
    }
    for (const [id, count] of hungPerDelivery) {
      const timedOut = journal.getDelivery(id)!.dispatches.flatMap((d) => d.attemptLog)
        .filter((attempt) => /did not answer within 1s; killed/.test(attempt.message ?? ""));
      assert.ok(timedOut.length >= count, `${id}: ${count} hung laminarc, ${timedOut.length} attempts recorded as timed out`);
    }

    // Exactly once: laminard was asked once per delivery, and the journal shows that run.
    const queued = queuedByLaminard(laminard);
    const runs = new Set<string>();
    for (const answer of all) {
      const entry = queued.get(answer.id);
      assert.equal(entry?.count, 1, `${answer.id} was queued ${entry?.count ?? 0} times`);
      const dispatch = journal.getDelivery(answer.id)!.dispatches[0]!;
      assert.equal(dispatch.status, "done");
      assert.equal(dispatch.run, entry.runs[0], `${answer.id}: the journal's run is laminard's`);
      assert.match(dispatch.run ?? "", /^hello:\d+$/);
      runs.add(dispatch.run!);
    }
    assert.equal(runs.size, all.length, "every delivery has its own run");
    assert.equal(queued.size, all.length, "no laminarc call for anything else");
  } finally {
    await svc.stop();
  }
});
