// The journal's half of receiving, on a real journal in a temp folder: each outcome, the dispatcher
// woken only when jobs are pending, and a second copy of a delivery never queued twice.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openJournal } from "../../src/journal/index.ts";
import { commitDelivery, type DeliveryOutcome } from "../../src/receive/commit-delivery.ts";
import { deliveryInput } from "../../src/receive/delivery-input.ts";
import type { Plan } from "../../src/receive/plan-delivery.ts";
import type { HookEvent, JobRequest } from "../../src/types.ts";

const EVENT: HookEvent = { forge: "gitea", forgeEvent: "push", kind: "push", deleted: false, repo: "o/r", ref: "refs/heads/main", branch: "main" };
const JOB: JobRequest = { job: "build", params: { branch: "main" }, host: "", reason: "push" };

const routed = (jobs: JobRequest[]): Plan => ({
  kind: "routed", event: EVENT, routing: { jobs, trace: [{ job: "build", matched: jobs.length > 0, reason: "…" }] },
});
const received = (deliveryId: string) => ({
  forge: "gitea" as const, deliveryId, forgeEvent: "push", headers: {}, payload: "{}", remoteAddress: "127.0.0.1", receivedAt: 1,
});

test("accepted, duplicate, unmatched, ping: as the journal's transaction decides; the dispatcher woken for new jobs only", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lh-commit-"));
  const journal = openJournal(join(dir, "journal.db"));
  try {
    let kicks = 0;
    const observed: DeliveryOutcome[] = [];
    const services = { journal, kick: () => void kicks++, observe: { delivery: (_f: string, _e: string, outcome: DeliveryOutcome) => void observed.push(outcome) } };
    const commit = (id: string, plan: Plan) => commitDelivery(services, deliveryInput(received(id), plan), plan);

    const first = await commit("c-1", routed([JOB]));
    assert.deepEqual([first.outcome, kicks], ["accepted", 1]);
    const again = await commit("c-1", routed([JOB]));
    assert.deepEqual([again.outcome, again.id, kicks], ["duplicate", first.id, 1], "the first copy's row, nothing pending anew");
    assert.equal(journal.getDelivery("c-1")?.dispatches.length, 1);

    const unmatched = await commit("c-2", routed([]));
    assert.deepEqual([unmatched.outcome, kicks], ["unmatched", 1]);
    // Matched nothing the first time: routed again, as after a config fix and the forge's Redeliver.
    const rerouted = await commit("c-2", routed([JOB]));
    assert.deepEqual([rerouted.outcome, rerouted.id, kicks], ["accepted", unmatched.id, 2]);

    const ping = await commit("c-3", { kind: "ping", repo: undefined, note: "ping" });
    assert.deepEqual([ping.outcome, kicks], ["ping", 2]);
    assert.equal(journal.getDelivery("c-3")?.status, "ignored");
    assert.deepEqual(observed, ["accepted", "duplicate", "unmatched", "accepted", "ping"]);
  } finally {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
