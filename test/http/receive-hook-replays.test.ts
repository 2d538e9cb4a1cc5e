// One push, one build, however often and whichever way it comes (DESIGN.md "Delivery guarantees"
// 3 and "Security"): a signed body sent again under a new delivery id, a second hook, Gitea's
// Replay and "Test delivery", pull request deliveries, copies arriving at once, and a restart in
// between. Later copies are answered 200 `duplicate` naming the delivery that built the push;
// `redeliver` still builds on purpose. GitLab's copies are in receive-hook-gitlab.test.ts, the
// journal's rules one by one in test/journal/catch-up-heads.test.ts.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "../../src/observe/logger.ts";
import { startService } from "../../src/start-service.ts";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { anotherPush, payload } from "../support/payloads.ts";
import { runCli } from "../support/run-cli.ts";
import { giteaSignature, githubSignature } from "../support/sign.ts";
import { giteaHeaders, githubHeaders, post, startTestService, type Answer, type TestService } from "../support/test-service.ts";

const CONFIG = `
forges:
  github: { secret: gh-secret }
  gitea: { secret: gitea-secret }
repositories:
  - repo: Codertocat/Hello-World
    jobs:
      - { job: hello, events: [push] }
      - { job: hello-pr, events: [pull_request] }
  - repo: example/example
    jobs: [{ job: webhooks, events: [push], branches: [master] }]
`;
const JOBS = ["hello", "hello-pr", "webhooks"];

const push5 = payload("github/push-5.json");

/** What every later copy is answered, naming the delivery that built the push. */
function assertDuplicateOf(copy: Answer, first: Answer, firstDelivery: string): void {
  assert.equal(copy.status, 200, copy.body.message);
  assert.equal(copy.body.duplicate, true);
  assert.deepEqual(copy.body.duplicateOf, { id: first.body.id, delivery: firstDelivery });
  assert.equal(copy.body.message,
    `duplicate: this push was built already from ${firstDelivery} (journal id ${first.body.id}); `
    + `to build it again on purpose: laminar-hooks redeliver ${first.body.id}; nothing queued again`);
}

describe("one push delivered again under another delivery id", () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ config: CONFIG });
  });
  after(() => svc.stop());

  const delivery = (id: string) => svc.service.journal.getDelivery(id);
  const callsWith = (arg: string) => svc.fake.calls().filter((call) => call.argv.includes(arg));
  const done = (id: string, dispatches = 1) => waitFor(() => {
    const detail = delivery(id);
    return detail?.dispatches.length === dispatches && detail.dispatches.every((d) => d.status === "done") && detail;
  }, 10_000, `${id} dispatched`);
  const github = (body: Buffer, id: string, event = "push") => svc.post("/hooks", body, githubHeaders(event, id, githubSignature("gh-secret", body)));
  const gitea = (body: Buffer, id: string) => svc.post("/hooks", body, giteaHeaders("push", id, giteaSignature("gitea-secret", body)));
  const cli = (...args: string[]) => runCli([...args, "--config", svc.configFile]);

  test("GitHub: the signed body sent again with a new X-GitHub-Delivery builds nothing; show says so; redeliver builds", async () => {
    const push = anotherPush(push5, "resent");
    const before = `before=${JSON.parse(push.toString("utf8")).before}`;
    const first = await github(push, "gh-first");
    assert.equal(first.status, 202, first.body.message);
    await done("gh-first");

    const resent = await github(push, "gh-resent");
    assertDuplicateOf(resent, first, "gh-first");
    assert.equal(resent.body.delivery, "gh-resent");
    assert.equal(resent.body.id, delivery("gh-resent")?.id, "the copy is journaled, under its own id");
    // GitHub's own Redeliver of the copy keeps its id: still the copy of gh-first.
    assertDuplicateOf(await github(push, "gh-resent"), first, "gh-first");
    // ... and of the first, the same-delivery duplicate, as before.
    assert.match((await github(push, "gh-first")).body.message, /^duplicate: delivery gh-first was accepted before/);

    assert.equal(delivery("gh-resent")?.dispatches.length, 0, "the copy has no job the dispatcher could run");
    assert.equal(callsWith(before).length, 1, "laminarc was called once for the push");
    const shown = await cli("show", "gh-resent");
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`status +ignored: duplicate: this push was built already from gh-first \\(journal id ${first.body.id}\\)`));
    const listed = await cli("deliveries", "--json");
    const row = (JSON.parse(listed.stdout) as { deliveryId: string; note: string | null }[]).find((item) => item.deliveryId === "gh-resent");
    assert.match(row?.note ?? "", /^duplicate: .*laminar-hooks redeliver \d+$/);
    const page = await fetch(`${svc.url}/ui/deliveries/${resent.body.id}`);
    assert.equal(page.status, 200);
    assert.ok((await page.text()).includes(`duplicate: this push was built already from gh-first (journal id ${first.body.id})`), "the page says so");

    // Building again on purpose: exactly what the answer said to run.
    const again = await cli("redeliver", String(first.body.id));
    assert.equal(again.code, 0, again.stderr);
    await done("gh-first", 2);
    assert.equal(callsWith(before).length, 2, "redeliver goes around the check");
  });

  test("Gitea: Replay (a new X-Gitea-Delivery) and Test delivery (before == after) of a built push are duplicates", async () => {
    const push = payload("gitea/push-2.json");
    const first = await gitea(push, "gitea-first");
    assert.equal(first.status, 202, first.body.message);
    assertDuplicateOf(await gitea(push, "gitea-replay"), first, "gitea-first");
    // Gitea's "Test delivery" sends the branch's head as a push with before == after
    // (shared/reference/forges.md): the real payload with its before set so.
    const sent = JSON.parse(push.toString("utf8"));
    const testDelivery = Buffer.from(JSON.stringify({ ...sent, before: sent.after }));
    assertDuplicateOf(await gitea(testDelivery, "gitea-test"), first, "gitea-first");
    await done("gitea-first");
    assert.deepEqual(["gitea-replay", "gitea-test"].map((id) => delivery(id)?.dispatches.length), [0, 0]);
    assert.equal(callsWith(`rev=${sent.after}`).length, 1);
  });

  test("pull requests: opened and synchronize of one head each build; synchronize twice builds once", async () => {
    const opened = await github(payload("github/pull_request-1.json"), "pr-opened", "pull_request");
    assert.equal(opened.status, 202, opened.body.message);
    const sync = payload("github/pull_request-2.json");
    const synchronized = await github(sync, "pr-sync", "pull_request");
    assert.equal(synchronized.status, 202, synchronized.body.message);
    assertDuplicateOf(await github(sync, "pr-sync-again", "pull_request"), synchronized, "pr-sync");
    await done("pr-opened");
    await done("pr-sync");
    assert.equal(callsWith("pr=2").length, 2);
  });

  test("ten copies at once: one is accepted and queued once, the nine others name it", async () => {
    const push = anotherPush(push5, "at-once");
    const ids = Array.from({ length: 10 }, (_, n) => `at-once-${n}`);
    const answers = await Promise.all(ids.map((id) => github(push, id)));
    const accepted = answers.flatMap((answer, n) => (answer.status === 202 ? [n] : []));
    assert.equal(accepted.length, 1, answers.map((answer) => answer.body.message).join("\n"));
    const winner = ids[accepted[0]!]!;
    for (const answer of answers) if (answer.status !== 202) assertDuplicateOf(answer, answers[accepted[0]!]!, winner);
    await done(winner);
    assert.equal(ids.reduce((sum, id) => sum + (delivery(id)?.dispatches.length ?? 0), 0), 1);
    assert.equal(callsWith(`before=${JSON.parse(push.toString("utf8")).before}`).length, 1);
  });

  test("a delivery that matched nothing claims nothing: its copy after the config was fixed builds, and the key holds across the reload", async () => {
    const push = anotherPush(payload("gitea/push-2.json"), "unmatched");
    svc.writeConfig(CONFIG.replace("branches: [master]", "branches: [main]"));
    assert.equal(svc.service.reload().ok, true);
    const unmatched = await gitea(push, "gitea-unmatched");
    assert.equal(unmatched.status, 200, unmatched.body.message);
    assert.equal(unmatched.body.duplicate, undefined);

    svc.writeConfig(CONFIG);
    assert.equal(svc.service.reload().ok, true);
    const fixed = await gitea(push, "gitea-after-fix");
    assert.equal(fixed.status, 202, fixed.body.message);
    await done("gitea-after-fix");
    assert.equal(svc.service.reload().ok, true);
    assertDuplicateOf(await gitea(push, "gitea-after-reload"), fixed, "gitea-after-fix");
  });

  test("a push whose job was unknown to Laminar (failed for good) is built by a later copy once the job exists", async () => {
    const push = anotherPush(push5, "unknown-job");
    svc.fake.setJobs(JOBS.filter((job) => job !== "hello"));
    try {
      assert.equal((await github(push, "unknown-1")).status, 202);
      await waitFor(() => delivery("unknown-1")?.dispatches[0]?.status === "failed", 10_000, "permanent failure");
    } finally {
      svc.fake.setJobs(JOBS);
    }
    const replay = await github(push, "unknown-2");
    assert.equal(replay.status, 202, replay.body.message);
    await done("unknown-2");
    assertDuplicateOf(await github(push, "unknown-3"), replay, "unknown-2");
  });
});

describe("the claim is in the journal", () => {
  test("a copy sent after the service restarted is still a duplicate, and queues nothing", async (t) => {
    const svc = await startTestService({ config: CONFIG });
    let running: { stop(graceMs: number): Promise<void> } | undefined = svc.service;
    t.after(async () => {
      await running?.stop(1_000);
      svc.fake.remove();
      rmSync(svc.dir, { recursive: true, force: true });
    });
    const push = anotherPush(push5, "restart");
    const first = await svc.post("/hooks", push, githubHeaders("push", "before-restart", githubSignature("gh-secret", push)));
    assert.equal(first.status, 202, first.body.message);
    await waitFor(() => svc.service.journal.getDelivery("before-restart")?.dispatches[0]?.status === "done", 10_000, "dispatched");
    await svc.service.stop(1_000);
    running = undefined;

    const restarted = await startService({ configFile: svc.configFile, env: svc.fake.env, logger: silentLogger() });
    running = restarted;
    const copy = await post(`${restarted.address}/hooks`, push, githubHeaders("push", "after-restart", githubSignature("gh-secret", push)));
    assertDuplicateOf(copy, first, "before-restart");
    assert.equal(restarted.journal.getDelivery("after-restart")?.dispatches.length, 0);
    assert.equal(svc.fake.calls().filter((call) => call.argv.includes("delivery=after-restart")).length, 0);
  });
});
