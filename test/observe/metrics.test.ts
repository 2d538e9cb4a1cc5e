// /metrics and the log lines change with traffic as an operator would read them.

import assert from "node:assert/strict";
import { test } from "node:test";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { payload } from "../support/payloads.ts";
import { recordingLogger } from "../support/recording-logger.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders, startTestService, HELLO_WORLD_CONFIG } from "../support/test-service.ts";

const push5 = payload("github/push-5.json");

function sample(text: string, name: string, labels = ""): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${name}${labels ? `{${labels}}` : ""} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

test("metrics count deliveries by outcome, rejections by status, attempts and answer times", async () => {
  const { logger, lines } = recordingLogger();
  const svc = await startTestService({ config: HELLO_WORLD_CONFIG, logger });
  try {
    const before = await (await fetch(`${svc.url}/metrics`)).text();
    assert.equal(sample(before, "laminar_hooks_deliveries_total", `forge="github",event="push",outcome="accepted"`), undefined);
    assert.ok(sample(before, "process_resident_memory_bytes")! > 0, "process metrics are there");

    const headers = githubHeaders("push", "m-1", githubSignature("topsecret", push5));
    assert.equal((await svc.post("/hooks", push5, headers)).status, 202);
    assert.equal((await svc.post("/hooks", push5, headers)).status, 200);
    assert.equal((await svc.post("/hooks", push5, githubHeaders("push", "m-2", githubSignature("wrong", push5)))).status, 401);
    await waitFor(() => svc.service.journal.getDelivery("m-1")?.status === "done", 5_000, "dispatch done");

    const after = await (await fetch(`${svc.url}/metrics`)).text();
    assert.equal(sample(after, "laminar_hooks_deliveries_total", `forge="github",event="push",outcome="accepted"`), 1);
    assert.equal(sample(after, "laminar_hooks_deliveries_total", `forge="github",event="push",outcome="duplicate"`), 1);
    assert.equal(sample(after, "laminar_hooks_rejected_total", `forge="github",status="401"`), 1);
    assert.equal(sample(after, "laminar_hooks_dispatch_attempts_total", `outcome="queued"`), 1);
    assert.equal(sample(after, "laminar_hooks_laminarc_seconds_count"), 1);
    assert.equal(sample(after, "laminar_hooks_answer_seconds_count", `status="202"`), 1);
    assert.equal(sample(after, "laminar_hooks_pending_dispatches"), 0);
    assert.equal(sample(after, "laminar_hooks_status_outbox"), 0, "the status outbox's length is there");

    const accepted = lines.find((line) => line.delivery === "m-1" && line.status === 202);
    assert.ok(accepted, "one log line for the accepted delivery");
    assert.deepEqual([accepted.forge, accepted.event, accepted.repo, accepted.ref, accepted.jobs],
      ["github", "push", "Codertocat/Hello-World", "refs/heads/master", ["hello"]]);
    assert.equal(typeof accepted.ms, "number");
    const attempt = lines.find((line) => line.forgeDelivery === "m-1" && line.run === "hello:1");
    assert.ok(attempt, "one log line for the laminarc attempt, with the run");
    assert.equal(attempt.repo, "Codertocat/Hello-World");
    const rejected = lines.find((line) => line.delivery === "m-2");
    assert.equal(rejected?.status, 401);
    assert.ok(!JSON.stringify(lines).includes("topsecret"), "the secret never reaches the log");
  } finally {
    await svc.stop();
  }
});

test("pending dispatches show while laminarc is unreachable", async () => {
  const svc = await startTestService({ config: HELLO_WORLD_CONFIG, fakeMode: "refused", laminar: "  retry: { attempts: 1000, delay: 20ms, max_delay: 50ms }" });
  try {
    assert.equal((await svc.post("/hooks", push5, githubHeaders("push", "p-1", githubSignature("topsecret", push5)))).status, 202);
    // The first refused attempt is recorded a moment after the fake has answered.
    let text = "";
    for (let tries = 0; tries < 100 && !(sample(text, "laminar_hooks_dispatch_attempts_total", `outcome="retry"`)! >= 1); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      text = await (await fetch(`${svc.url}/metrics`)).text();
    }
    assert.equal(sample(text, "laminar_hooks_pending_dispatches"), 1);
    assert.ok(sample(text, "laminar_hooks_dispatch_attempts_total", `outcome="retry"`)! >= 1);
  } finally {
    await svc.stop();
  }
});
