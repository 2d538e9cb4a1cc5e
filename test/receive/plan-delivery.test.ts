// normalise → find the repository → route, the one way from a payload to jobs that the hook
// endpoint, `redeliver` and catch-up share: real payloads, a config loaded from YAML.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/load-config.ts";
import { HttpError } from "../../src/errors.ts";
import { forges } from "../../src/forges/index.ts";
import { deliveryInput } from "../../src/receive/delivery-input.ts";
import { planDelivery, routeEvent, type Located } from "../../src/receive/plan-delivery.ts";
import type { Config, HookEvent } from "../../src/types.ts";
import { payload } from "../support/payloads.ts";

function config(yaml: string): Config {
  const dir = mkdtempSync(join(tmpdir(), "lh-plan-"));
  try {
    writeFileSync(join(dir, "config.yml"), yaml);
    return loadConfig(join(dir, "config.yml"), { env: {} });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CONFIG = config(`
forges:
  github: { secret: topsecret }
repositories:
  - repo: Codertocat/Hello-World
    jobs:
      - { job: hello, events: [push], branches: [master] }
      - { job: hello-tag, events: [tag] }
`);
const json = (file: string) => JSON.parse(payload(file).toString("utf8")) as unknown;
const envelope = (event: string, deliveryId = "d-1") => ({ forge: "github" as const, event, deliveryId });

test("a push is routed: the event, the jobs with their parameters, the trace of every rule", () => {
  const plan = planDelivery(CONFIG, forges.github, envelope("push"), json("github/push-5.json"));
  assert.equal(plan.kind, "routed");
  assert.equal(plan.kind === "routed" && plan.event.branch, "master");
  assert.deepEqual(plan.kind === "routed" && plan.routing.jobs.map((job) => [job.job, job.params.delivery]), [["hello", "d-1"]]);
  assert.deepEqual(plan.kind === "routed" && plan.routing.trace.map((line) => line.matched), [true, false]);
});

test("the check sees the repository before anything is normalised, and what it throws stops the plan", () => {
  const seen: Located[] = [];
  const refused = new HttpError(401, "missing signature");
  // A push without `ref` would be a 400 from normalising: the check's 401 must come first.
  const broken = { ...(json("github/push-5.json") as Record<string, unknown>), ref: undefined };
  assert.throws(() => planDelivery(CONFIG, forges.github, envelope("push"), broken, (located) => {
    seen.push(located);
    throw refused;
  }), refused);
  assert.equal(seen[0]?.repoName, "Codertocat/Hello-World");
  assert.equal(seen[0]?.repository?.repo, "Codertocat/Hello-World");
  assert.throws(() => planDelivery(CONFIG, forges.github, envelope("push"), broken), (error: HttpError) => error.status === 400);
});

test("a ping is planned also for a repository not in the config; anything else from one is a 404", () => {
  const ping = planDelivery(CONFIG, forges.github, envelope("ping"), json("github/ping-3.json"));
  assert.equal(ping.kind, "ping");
  const other = JSON.parse(payload("github/push-5.json").toString("utf8").replaceAll("Codertocat/Hello-World", "someone/else")) as unknown;
  assert.throws(() => planDelivery(CONFIG, forges.github, envelope("push"), other),
    (error: HttpError) => error.status === 404 && error.message === "repository someone/else is not in the config for github");
});

test("an event laminar-hooks does not route is planned as ignored, with the forge's reason, and journaled without jobs", () => {
  const plan = planDelivery(CONFIG, forges.github, envelope("create"), json("github/create-1.json"));
  assert.equal(plan.kind, "ignored");
  const input = deliveryInput({
    forge: "github", deliveryId: "d-1", forgeEvent: "create", headers: {}, payload: "{}", remoteAddress: "127.0.0.1", receivedAt: 1,
  }, plan);
  assert.equal(input.kind, "ignored");
  assert.deepEqual([input.jobs, input.trace], [[], []]);
  assert.equal(input.note, plan.kind === "ignored" ? plan.note : "");
});

test("routeEvent: an event made without a forge's payload (catch-up's) takes the same rules", () => {
  const event: HookEvent = {
    forge: "github", forgeEvent: "push", kind: "push", deleted: false, repo: "Codertocat/Hello-World",
    ref: "refs/heads/master", branch: "master", rev: "a".repeat(40), sender: "laminar-hooks",
  };
  const repository = CONFIG.repositories[0]!;
  const plan = routeEvent(repository, event, `poll:refs/heads/master:${"a".repeat(40)}`, {});
  assert.deepEqual(plan.routing.jobs.map((job) => job.job), ["hello"]);
  assert.equal(plan.routing.jobs[0]?.params.delivery, `poll:refs/heads/master:${"a".repeat(40)}`);
  const input = deliveryInput({
    forge: "github", deliveryId: "poll:x", forgeEvent: "push", headers: {}, payload: "{}", remoteAddress: "", receivedAt: 1,
  }, plan);
  assert.deepEqual([input.kind, input.repo, input.ref, input.sender, input.jobs.length], ["push", "Codertocat/Hello-World", "refs/heads/master", "laminar-hooks", 1]);
});
