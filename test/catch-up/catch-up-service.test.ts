// Catch-up in the running service against real git: bare repositories in a temp folder, pushes
// made with git, webhooks signed as GitHub signs them, the fake laminarc recording what it queued.

import assert from "node:assert/strict";
import { renameSync } from "node:fs";
import { after, before, test } from "node:test";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { payload } from "../support/payloads.ts";
import { recordingLogger } from "../support/recording-logger.ts";
import { githubSignature } from "../support/sign.ts";
import { startService, type Service } from "../../src/start-service.ts";
import { githubHeaders, startTestService, type TestService } from "../support/test-service.ts";
import { createGitKit, type GitKit, type GitRemote } from "./git-kit.ts";
import { counter as countFor, morePasses as passesFor, stopService } from "./service-kit.ts";

let kit: GitKit;
let svc: TestService;
const recorded = recordingLogger();
let app: GitRemote;
let early: GitRemote;
let vanishing: GitRemote;
let appStart: string;

before(async () => {
  kit = createGitKit();
  app = kit.remote("app");
  appStart = app.commit("first");
  app.git("push", "--quiet", "origin", "main");
  app.git("tag", "-a", "-m", "old release", "v0.9");
  app.git("push", "--quiet", "origin", "v0.9");
  early = kit.remote("early");
  early.commit("first");
  early.git("push", "--quiet", "origin", "main");
  vanishing = kit.remote("vanishing");
  vanishing.commit("first");
  vanishing.git("push", "--quiet", "origin", "main");
  svc = await startTestService({
    catchUpIntervalMs: 200,
    logger: recorded.logger,
    env: kit.env,
    config: `
catch_up: { interval: 30s }
forges:
  github: { secret: topsecret }
repositories:
  - repo: acme/app
    forge: github
    poll: ${JSON.stringify(app.url)}
    jobs:
      - { job: app, events: [push] }
      - { job: app-release, events: [tag] }
  - repo: acme/early
    forge: github
    poll: ${JSON.stringify(early.url)}
    jobs: [{ job: early, events: [push] }]
  - repo: acme/vanishing
    forge: github
    poll: ${JSON.stringify(vanishing.url)}
    jobs: [{ job: vanishing, events: [push] }]
  - repo: acme/private
    forge: github
    # Nothing listens on port 1: the poll fails, and says so without the password.
    poll: "http://deploy:hunter2@127.0.0.1:1/acme/private.git"
    jobs: [{ job: private, events: [push] }]
`,
  });
});
let restarted: Service | undefined;
after(async () => {
  await stopService(svc, restarted);
  kit.remove();
});

const counter = (name: string) => countFor(svc.service, name, "poll");
const passes = () => counter("laminar_hooks_catch_up_passes_total");
/** Waits until `count` more passes have ended: every remote was asked after this call. */
const morePasses = (count: number) => passesFor(svc.service, "poll", count);

const deliveriesOf = (repo: string) =>
  svc.service.journal.listDeliveries({ limit: 1000 }).filter((item) => item.repo?.toLowerCase() === repo.toLowerCase());
const callsFor = (job: string) => svc.fake.calls().filter((call) => call.argv[1] === job && call.outcome === "queued");

/** A real GitHub push payload (push-5.json) moved to this repository, ref and head. */
function githubPush(repo: string, ref: string, before: string, after: string): string {
  const body = JSON.parse(payload("github/push-5.json").toString("utf8")) as Record<string, unknown> & { repository: Record<string, unknown> };
  body.ref = ref;
  body.before = before;
  body.after = after;
  body.repository = { ...body.repository, full_name: repo };
  return JSON.stringify(body);
}
const sendPush = (repo: string, ref: string, before: string, after: string, delivery: string) => {
  const body = githubPush(repo, ref, before, after);
  return svc.post("/hooks", body, githubHeaders("push", delivery, githubSignature("topsecret", body)));
};

test("the first poll of a remote records its heads and builds nothing", async () => {
  await morePasses(1);
  assert.deepEqual(deliveriesOf("acme/early"), []);
  assert.deepEqual(deliveriesOf("acme/app"), []);
  assert.equal(svc.fake.calls().length, 0);
  const baseline = recorded.lines.find((line) => line.repo === "acme/early" && /first poll/.test(String(line.msg)));
  assert.ok(baseline, "the log says the first poll only recorded the heads");
});

test("a push with no webhook is built by the first pass after it; its webhook arriving later is a duplicate", async () => {
  await morePasses(1);
  const head = app.commit("missed webhook");
  app.git("push", "--quiet", "origin", "main");
  const passesAtPush = await passes();
  const deliveryId = `poll:acme/app:refs/heads/main:${head}`;
  const found = await waitFor(() => svc.service.journal.getDelivery(deliveryId), 15_000, "the polled delivery");
  // The pass running at the push may have asked the remote before it; the next one must find it.
  assert.ok((await passes()) <= passesAtPush + 2, "found by the first pass that started after the push");
  assert.equal(found.kind, "push");
  assert.equal(found.sender, "laminar-hooks");
  await waitFor(() => svc.service.journal.getDelivery(deliveryId)?.status === "done", 10_000, "queued in Laminar");

  const [call, ...more] = callsFor("app");
  assert.equal(more.length, 0);
  assert.ok(call);
  const params = Object.fromEntries(call.argv.slice(2).map((arg) => arg.split(/=(.*)/s).slice(0, 2) as [string, string]));
  assert.equal(params.rev, head);
  assert.equal(params.before, appStart);
  assert.equal(params.branch, "main");
  assert.equal(params.clone_url, app.url);
  assert.equal(params.sender, "laminar-hooks");
  assert.equal(params.forge, "github");
  assert.equal(params.delivery, deliveryId);
  assert.match(call.env.LAMINAR_REASON ?? "", /^GitHub push to acme\/app main \([0-9a-f]{7}\) by laminar-hooks, found by polling/);

  // GitHub delivers the webhook after all (the box was back, or it was redelivered): one push, one build.
  const late = await sendPush("acme/app", "refs/heads/main", appStart, head, "late-webhook-1");
  assert.equal(late.status, 200, late.body.message);
  assert.equal(late.body.duplicate, true);
  assert.match(late.body.message, new RegExp(`built already from ${deliveryId.replace(/[/^$.*+?()[\]{}|]/g, "\\$&")}`));
  const kept = svc.service.journal.getDelivery("late-webhook-1");
  assert.equal(kept?.dispatches.length, 0, "the webhook is kept, with no job of its own");
  assert.match(kept?.note ?? "", /found by polling before its webhook arrived/);
  // The same webhook again (GitHub's redelivery keeps its id) is still no build.
  const again = await sendPush("acme/app", "refs/heads/main", appStart, head, "late-webhook-1");
  assert.equal(again.status, 200);
  assert.equal(again.body.duplicate, true);
  await morePasses(2);
  assert.equal(callsFor("app").length, 1);
});

test("a webhook that arrives first means the poll builds nothing", async () => {
  const before = early.rev("HEAD");
  const head = early.commit("webhook works");
  // The forge sends the webhook as it takes the push; the poll sees the push only after it.
  const answer = await sendPush("acme/early", "refs/heads/main", before, head, "prompt-webhook-1");
  assert.equal(answer.status, 202, answer.body.message);
  early.git("push", "--quiet", "origin", "main");
  await morePasses(2);
  assert.deepEqual(deliveriesOf("acme/early").map((item) => item.deliveryId), ["prompt-webhook-1"]);
  await waitFor(() => callsFor("early").length === 1, 10_000, "the webhook's build");
  assert.equal(callsFor("early").length, 1);
  const logged = recorded.lines.find((line) => line.repo === "acme/early" && line.ref === "refs/heads/main" && line.sha === head);
  assert.equal(logged, undefined, "nothing found: the head was delivered");
});

test("a force-push and a new annotated tag each build once; the tag's webhook naming the tag object is a duplicate", async () => {
  await waitFor(() => callsFor("app").length >= 1, 15_000, "the earlier build");
  const builtBefore = callsFor("app").length;
  app.git("commit", "--quiet", "--amend", "--allow-empty", "-m", "rewritten");
  const forced = app.rev("HEAD");
  app.git("push", "--quiet", "--force", "origin", "main");
  app.git("tag", "-a", "-m", "release 1.0", "v1.0");
  app.git("push", "--quiet", "origin", "v1.0");
  const tagObject = app.rev("refs/tags/v1.0");
  assert.notEqual(tagObject, forced);

  await waitFor(() => svc.service.journal.getDelivery(`poll:acme/app:refs/heads/main:${forced}`)?.status === "done", 15_000, "force-push built");
  await waitFor(() => svc.service.journal.getDelivery(`poll:acme/app:refs/tags/v1.0:${forced}`)?.status === "done", 15_000, "tag built");
  await morePasses(2);
  assert.equal(callsFor("app").length, builtBefore + 1);
  const releases = callsFor("app-release");
  assert.equal(releases.length, 1);
  assert.ok(releases[0]?.argv.includes(`rev=${forced}`), "a tag builds the commit it points to");
  assert.ok(releases[0]?.argv.includes("tag=v1.0"));
  assert.ok(!releases[0]?.argv.some((arg) => arg.startsWith("before=")), "a new tag has no previous head");

  // GitHub's `after` of an annotated tag push is the tag object.
  const late = await sendPush("acme/app", "refs/tags/v1.0", "0".repeat(40), tagObject, "late-tag-webhook");
  assert.equal(late.status, 200, late.body.message);
  assert.equal(late.body.duplicate, true);
  assert.equal(callsFor("app-release").length, 1);
});

test("a deleted branch builds nothing", async () => {
  app.git("checkout", "--quiet", "-b", "feature");
  const feature = app.commit("feature work");
  app.git("push", "--quiet", "origin", "feature");
  await waitFor(() => svc.service.journal.getDelivery(`poll:acme/app:refs/heads/feature:${feature}`), 15_000, "the branch built");
  const count = deliveriesOf("acme/app").length;
  app.git("push", "--quiet", "origin", "--delete", "feature");
  app.git("checkout", "--quiet", "main");
  await morePasses(2);
  assert.equal(deliveriesOf("acme/app").length, count);
});

test("a remote that disappears is reported and counted; the service goes on and finds pushes once it is back", async () => {
  await morePasses(1);
  const failuresBefore = await counter("laminar_hooks_catch_up_failures_total");
  const moved = `${vanishing.bare}.moved`;
  renameSync(vanishing.bare, moved);
  await waitFor(() => recorded.lines.find((line) => line.repo === "acme/vanishing" && line.msg === "catch-up: polling the remote failed"),
    15_000, "the failure logged");
  const line = recorded.lines.find((entry) => entry.repo === "acme/vanishing" && entry.msg === "catch-up: polling the remote failed");
  assert.match(String(line?.reason), /git ls-remote failed \(exit \d+\): .*does not appear to be a git repository|not found/);
  assert.ok((await counter("laminar_hooks_catch_up_failures_total")) > failuresBefore);

  // Hooks are still answered, and other remotes still polled.
  const hook = await sendPush("acme/vanishing", "refs/heads/main", "0".repeat(40), "a".repeat(40), "while-gone-1");
  assert.equal(hook.status, 202, hook.body.message);
  await morePasses(1);

  renameSync(moved, vanishing.bare);
  const before = vanishing.rev("HEAD");
  const head = vanishing.commit("after the outage");
  vanishing.git("push", "--quiet", "origin", "main");
  const found = await waitFor(() => svc.service.journal.getDelivery(`poll:acme/vanishing:refs/heads/main:${head}`), 15_000, "found after the outage");
  assert.equal(found.status === "queued" || found.status === "done", true);
  const params = svc.service.journal.getDelivery(found.id)?.dispatches[0]?.params;
  assert.equal(params?.before, before);
});

test("a remote's password is never logged", async () => {
  await waitFor(() => recorded.lines.find((line) => line.repo === "acme/private" && line.msg === "catch-up: polling the remote failed"),
    15_000, "the private remote's failure");
  const text = recorded.lines.map((line) => JSON.stringify(line)).join("\n");
  assert.ok(!text.includes("hunter2"), "no password in the log");
  const line = recorded.lines.find((entry) => entry.repo === "acme/private" && entry.msg === "catch-up: polling the remote failed");
  assert.equal(line?.remote, "http://127.0.0.1:1/acme/private.git");
});

test("what the last poll saw survives a restart: a push made while the service was down is built after it", async () => {
  await morePasses(1);
  await svc.service.stop(1_000);
  const before = app.rev("main");
  const head = app.commit("pushed while down");
  app.git("push", "--quiet", "origin", "main");
  restarted = await startService({ configFile: svc.configFile, env: { ...svc.fake.env, ...kit.env }, logger: recorded.logger, watchConfig: false });
  const found = await waitFor(() => restarted?.journal.getDelivery(`poll:acme/app:refs/heads/main:${head}`), 15_000, "found after the restart");
  assert.equal(restarted.journal.getDelivery(found.id)?.dispatches[0]?.params.before, before);
});
