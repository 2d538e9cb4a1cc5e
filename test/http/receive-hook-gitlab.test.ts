// GitLab end to end: its real payloads and header set, through the real server, the journal and
// the fake laminarc, on both /hooks (detected) and /hooks/gitlab (named).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { waitFor, type FakeCall } from "../fixtures/fake-laminar-dir.ts";
import { anotherPush, payload } from "../support/payloads.ts";
import { standardWebhookSignature } from "../support/sign.ts";
import { gitlabHeaders, startTestService, type TestService } from "../support/test-service.ts";

const TOKEN = "glsecret-4f1c9a";
// The Standard Webhooks reference key (test/fixtures/payloads/SOURCES.md, "Signature vectors").
const SIGNING = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

const CONFIG = `
forges:
  gitlab: { secret: ${TOKEN} }
repositories:
  - repo: gitlab-org/hello-world
    jobs:
      - job: hello
        events: [push]
        branches: [master]
      - job: hello-mr
        events: [pull_request]
  - repo: jsmith/example
    jobs:
      - job: example-release
        events: [tag]
        tags: ["v*"]
  - repo: mike/diaspora
    secret: ${SIGNING}
    jobs:
      - job: diaspora
`;

const push2 = payload("gitlab/push-2.json");
const tagPush = payload("gitlab/tag_push-1.json");
const mergeRequest = payload("gitlab/merge_request-1.json");

/** The merge request fixture as GitLab sends an `update`: with `oldrev` only when commits were pushed. */
function mergeRequestUpdate(withNewCommits: boolean): Buffer {
  const body = JSON.parse(mergeRequest.toString("utf8"));
  body.object_attributes.action = "update";
  if (withNewCommits) body.object_attributes.oldrev = "9217710ce8c7e1eae7a5d1c45f6e43e1c769f866";
  return Buffer.from(JSON.stringify(body));
}

describe("GitLab through the HTTP server", () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ config: CONFIG });
  });
  after(() => svc.stop());

  const callsFor = (delivery: string) => svc.fake.calls().filter((call) => call.argv.includes(`delivery=${delivery}`));
  const oneCall = (delivery: string) =>
    waitFor(() => callsFor(delivery).length > 0 && callsFor(delivery)[0], 5_000, `laminarc call for ${delivery}`) as Promise<FakeCall>;

  test("Push Hook on /hooks: 202, and laminarc gets the exact arguments", async () => {
    const answer = await svc.post("/hooks", push2, gitlabHeaders("Push Hook", "gl-push-1", { token: TOKEN }));
    assert.equal(answer.status, 202, answer.body.message);
    assert.equal(answer.body.delivery, "gl-push-1", "Idempotency-Key is the delivery id");
    assert.deepEqual(answer.body.jobs, [{ job: "hello" }]);

    const call = await oneCall("gl-push-1");
    assert.deepEqual(call.argv, [
      "queue", "hello",
      "rev=2adc9465c4edfc33834e173fe89436a7cb899a1d", "ref=refs/heads/master", "branch=master",
      "before=9217710ce8c7e1eae7a5d1c45f6e43e1c769f866", "repo=gitlab-org/hello-world",
      "clone_url=https://gitlab.com/gitlab-org/hello-world.git", "ssh_url=git@gitlab.com:gitlab-org/hello-world.git",
      "event=push", "forge=gitlab", "sender=sytses", "delivery=gl-push-1",
    ]);
    assert.match(call.env.LAMINAR_REASON ?? "", /^GitLab push to gitlab-org\/hello-world master \(2adc946\) by sytses \[dispatch \d+, try 1\]$/);
    assert.equal(call.env.LAMINAR_HOST, "unix-abstract:test-laminar");

    const stored = svc.service.journal.getDelivery("gl-push-1");
    assert.equal(stored?.forge, "gitlab");
    assert.equal(stored?.forgeEvent, "Push Hook");
    assert.equal(stored?.headers["x-gitlab-instance"], "https://gitlab.example.com");
    assert.equal(stored?.headers["x-gitlab-token"], undefined, "the token is a secret: never journaled");
  });

  test("Push Hook on /hooks/gitlab: the same", async () => {
    const answer = await svc.post("/hooks/gitlab", anotherPush(push2, "gl-push-2"), gitlabHeaders("Push Hook", "gl-push-2", { token: TOKEN }));
    assert.equal(answer.status, 202, answer.body.message);
    assert.equal((await oneCall("gl-push-2")).argv[1], "hello");
  });

  test("the same push from a second hook (another Idempotency-Key) is a duplicate naming the first", async () => {
    const push = anotherPush(push2, "gl-second-hook");
    const first = await svc.post("/hooks", push, gitlabHeaders("Push Hook", "gl-project-hook", { token: TOKEN }));
    assert.equal(first.status, 202, first.body.message);
    const second = await svc.post("/hooks/gitlab", push, gitlabHeaders("Push Hook", "gl-group-hook", { token: TOKEN }));
    assert.equal(second.status, 200, second.body.message);
    assert.equal(second.body.duplicate, true);
    assert.deepEqual(second.body.duplicateOf, { id: first.body.id, delivery: "gl-project-hook" });
    assert.match(second.body.message, new RegExp(`from gl-project-hook .*laminar-hooks redeliver ${first.body.id}`));
    await oneCall("gl-project-hook");
    assert.equal(svc.service.journal.getDelivery("gl-group-hook")?.dispatches.length, 0);
    assert.equal(callsFor("gl-group-hook").length, 0);
  });

  test("Tag Push Hook: the tag's commit, no before for a new tag", async () => {
    const answer = await svc.post("/hooks", tagPush, gitlabHeaders("Tag Push Hook", "gl-tag-1", { token: TOKEN }));
    assert.equal(answer.status, 202, answer.body.message);
    const call = await oneCall("gl-tag-1");
    assert.deepEqual(call.argv, [
      "queue", "example-release",
      "rev=82b3d5ae55f7080f1e6022629cdb57bfae7cccc7", "ref=refs/tags/v1.0.0", "tag=v1.0.0", "repo=jsmith/example",
      "clone_url=http://example.com/jsmith/example.git", "ssh_url=git@example.com:jsmith/example.git",
      "event=tag", "forge=gitlab", "delivery=gl-tag-1",
    ]);
    assert.match(call.env.LAMINAR_REASON ?? "", /^GitLab tag v1\.0\.0 on jsmith\/example \(82b3d5a\) \[dispatch \d+, try 1\]$/);
  });

  test("Merge Request Hook: open is opened", async () => {
    const answer = await svc.post("/hooks/gitlab", mergeRequest, gitlabHeaders("Merge Request Hook", "gl-mr-1", { token: TOKEN }));
    assert.equal(answer.status, 202, answer.body.message);
    assert.deepEqual(answer.body.trace, [
      { job: "hello", matched: false, reason: "event pull_request is not in events [push]" },
      { job: "hello-mr", matched: true, reason: `action "opened", every base branch matches (no filter)` },
    ]);
    const call = await oneCall("gl-mr-1");
    assert.deepEqual(call.argv, [
      "queue", "hello-mr",
      "rev=c4c79227ed610f1151f05bbc5be33b4f340d39c8", "ref=refs/merge-requests/1/head", "branch=feature",
      "repo=gitlab-org/hello-world", "clone_url=https://gitlab.com/gitlab-org/hello-world.git",
      "ssh_url=git@gitlab.com:gitlab-org/hello-world.git", "event=pull_request", "forge=gitlab", "pr=1",
      "base_branch=master", "sender=sytses", "delivery=gl-mr-1",
    ]);
    assert.match(call.env.LAMINAR_REASON ?? "",
      /^GitLab pull request #1 \(opened\) on gitlab-org\/hello-world: feature → master \(c4c7922\) by sytses \[dispatch \d+, try 1\]$/);
  });

  test("Merge Request Hook: update with new commits is synchronize; without, it builds nothing", async () => {
    const pushed = await svc.post("/hooks", mergeRequestUpdate(true), gitlabHeaders("Merge Request Hook", "gl-mr-2", { token: TOKEN }));
    assert.equal(pushed.status, 202, pushed.body.message);
    assert.equal(svc.service.journal.getDelivery("gl-mr-2")?.action, "synchronize");
    assert.ok((await oneCall("gl-mr-2")).argv.includes("pr=1"));

    const retitled = await svc.post("/hooks", mergeRequestUpdate(false), gitlabHeaders("Merge Request Hook", "gl-mr-3", { token: TOKEN }));
    assert.equal(retitled.status, 200, retitled.body.message);
    assert.deepEqual(retitled.body.trace, [
      { job: "hello", matched: false, reason: "event pull_request is not in events [push]" },
      { job: "hello-mr", matched: false, reason: `action "edited" is not in actions [opened, synchronize, reopened]` },
    ]);
  });

  test("401: a wrong or missing X-Gitlab-Token, nothing journaled or queued", async () => {
    const wrong = await svc.post("/hooks", push2, gitlabHeaders("Push Hook", "gl-401a", { token: `${TOKEN}x` }));
    assert.equal(wrong.status, 401);
    assert.match(wrong.body.message, /^wrong signature for Push Hook delivery gl-401a: .*forges\.gitlab\.secret/);
    assert.ok(!JSON.stringify(wrong.body).includes(TOKEN));

    const missing = await svc.post("/hooks/gitlab", push2, gitlabHeaders("Push Hook", "gl-401b"));
    assert.equal(missing.status, 401);
    assert.match(missing.body.message, /^missing signature: set the same secret in the gitlab webhook/);

    assert.equal(svc.service.journal.getDelivery("gl-401a"), undefined);
    assert.equal(svc.service.journal.getDelivery("gl-401b"), undefined);
  });

  test("GitLab's own retry: same Idempotency-Key, new X-Gitlab-Event-UUID, is a duplicate", async () => {
    const push = anotherPush(push2, "gl-retry");
    const first = await svc.post("/hooks", push, gitlabHeaders("Push Hook", "gl-retry", { token: TOKEN, uuid: "uuid-first" }));
    assert.equal(first.status, 202, first.body.message);
    const retry = await svc.post("/hooks", push, gitlabHeaders("Push Hook", "gl-retry", { token: TOKEN, uuid: "uuid-second" }));
    assert.equal(retry.status, 200, retry.body.message);
    assert.equal(retry.body.duplicate, true);
    assert.match(retry.body.message, /^duplicate: delivery gl-retry was accepted before/);
    const stored = await waitFor(() => {
      const detail = svc.service.journal.getDelivery("gl-retry");
      return detail?.dispatches[0]?.status === "done" && detail;
    }, 5_000, "dispatch done");
    // The retry was answered after the journal's commit: no second dispatch means no second call.
    assert.equal(stored.dispatches.length, 1, "one dispatch for the delivery and its retry");
    assert.equal(callsFor("gl-retry").length, 1, "queued once");
  });

  test("a signing token (webhook-signature over the exact body) is accepted, a wrong one refused", async () => {
    const body = payload("gitlab/push-1.json");
    const id = "gl-signed-1";
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signed = (signature: string) =>
      gitlabHeaders("Push Hook", id, { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature });

    const forged = await svc.post("/hooks", body, signed(standardWebhookSignature("whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA==", id, timestamp, body)));
    assert.equal(forged.status, 401, forged.body.message);

    const answer = await svc.post("/hooks", body, signed(standardWebhookSignature(SIGNING, id, timestamp, body)));
    assert.equal(answer.status, 202, answer.body.message);
    const call = await oneCall(id);
    assert.deepEqual(call.argv.slice(0, 4), ["queue", "diaspora", "rev=da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "ref=refs/heads/master"]);
    assert.equal(svc.service.journal.getDelivery(id)?.headers["webhook-signature"], undefined);
  });

  test("a signed delivery resent with a new Idempotency-Key and X-Gitlab-Event-UUID is a duplicate: nothing queued again", async () => {
    const body = anotherPush(payload("gitlab/push-1.json"), "gl-signed-replay");
    const id = "gl-signed-replay";
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": standardWebhookSignature(SIGNING, id, timestamp, body) };

    const first = await svc.post("/hooks", body, gitlabHeaders("Push Hook", id, { ...signature, uuid: "uuid-replay-1" }));
    assert.equal(first.status, 202, first.body.message);
    assert.equal(first.body.delivery, id);

    // Only the unsigned headers changed: the signature still holds, so only its webhook-id can tell.
    const replay = await svc.post("/hooks", body, gitlabHeaders("Push Hook", "a-fresh-key", { ...signature, uuid: "uuid-replay-2" }));
    assert.equal(replay.status, 200, replay.body.message);
    assert.equal(replay.body.duplicate, true);
    assert.match(replay.body.message, /^duplicate: delivery gl-signed-replay was accepted before/);
    assert.equal(svc.service.journal.getDelivery("a-fresh-key"), undefined, "no second delivery under the new key");
    assert.equal(svc.service.journal.getDelivery(id)?.dispatches.length, 1, "one dispatch, queued once");
  });

  test("a signed delivery outside the 5-minute tolerance, either way, is 401 with why; nothing journaled", async () => {
    const body = payload("gitlab/push-1.json");
    const now = Math.floor(Date.now() / 1000);
    for (const [id, timestamp, when] of [
      ["gl-stale-past", now - 6 * 60, /signed 6 minutes ago/],
      ["gl-stale-future", now + 6 * 60, /signed 6 minutes ahead of this server's clock/],
    ] as const) {
      const headers = gitlabHeaders("Push Hook", id, {
        "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": standardWebhookSignature(SIGNING, id, String(timestamp), body),
      });
      const answer = await svc.post("/hooks", body, headers);
      assert.equal(answer.status, 401, answer.body.message);
      assert.match(answer.body.message, new RegExp(`^stale signature for Push Hook delivery ${id}: the delivery was signed`));
      assert.match(answer.body.message, when);
      assert.match(answer.body.message, /a replayed or delayed delivery is refused/);
      assert.equal(svc.service.journal.getDelivery(id), undefined);
    }
  });
});
