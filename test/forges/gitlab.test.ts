import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { gitlab } from "../../src/forges/gitlab/index.ts";
import type { Normalised } from "../../src/forges/types.ts";
import type { HookEvent, IncomingDelivery } from "../../src/types.ts";
import { expect400 } from "./expect-400.ts";
import { fixtureJson, fixtureText, gitlabHeaders, jsonDelivery, secret } from "./fixture-delivery.ts";

// The reference vector of Standard Webhooks (svix-webhooks go/webhook_test.go, TestWebhookSign).
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: "1614265330",
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

function signed(overrides: Record<string, string> = {}, body = VECTOR.body): IncomingDelivery {
  return jsonDelivery(
    gitlabHeaders("Push Hook", {
      "webhook-id": VECTOR.id,
      "webhook-timestamp": VECTOR.timestamp,
      "webhook-signature": VECTOR.signature,
      ...overrides,
    }),
    body,
  );
}

function normalise(event: string, payload: unknown): Normalised {
  return gitlab.normalise({ forge: "gitlab", event, deliveryId: "d" }, payload);
}

function handled(event: string, payload: unknown): HookEvent {
  const result = normalise(event, payload);
  assert.ok(result.handled, `expected a handled event, got ${JSON.stringify(result)}`);
  return result.event;
}

describe("GitLab envelope", () => {
  it("takes Idempotency-Key as the delivery id, the same across GitLab's own retries", () => {
    assert.deepEqual(gitlab.readEnvelope(gitlabHeaders("Merge Request Hook")), {
      forge: "gitlab",
      event: "Merge Request Hook",
      deliveryId: "f5e5f430-f57b-4e6e-9fac-d9128cd7232f",
    });
  });

  it("falls back to X-Gitlab-Event-UUID before GitLab 17.4, and answers 400 without either", () => {
    const { "idempotency-key": _key, ...older } = gitlabHeaders("Push Hook");
    assert.equal(gitlab.readEnvelope(older).deliveryId, "13792a34-cac6-4fda-95a8-c58e00a3954e");
    const { "x-gitlab-event-uuid": _uuid, ...neither } = older;
    expect400(() => gitlab.readEnvelope(neither), /missing X-Gitlab-Event-UUID header/);
  });

  it("takes the signed webhook-id as the delivery id of a signed delivery, whatever Idempotency-Key says", () => {
    const headers = signed({ "idempotency-key": "resent-under-a-new-key" }).headers;
    assert.equal(gitlab.readEnvelope(headers).deliveryId, VECTOR.id);
    const { "webhook-id": _id, ...withoutId } = headers;
    expect400(() => gitlab.readEnvelope(withoutId), /^missing webhook-id header: every signed GitLab webhook delivery has one/);
    // The secret token signs nothing: Idempotency-Key stays the id.
    assert.equal(gitlab.readEnvelope(gitlabHeaders("Push Hook", { "x-gitlab-token": "t", "webhook-id": "x" })).deliveryId,
      "f5e5f430-f57b-4e6e-9fac-d9128cd7232f");
  });

  it("answers 400 for an event GitLab does not define, and accepts the ones it does", () => {
    expect400(() => gitlab.readEnvelope(gitlabHeaders("push")), /^unknown GitLab event "push"/);
    for (const event of ["Tag Push Hook", "Issue Hook", "Note Hook", "Pipeline Hook", "System Hook", "Release Hook"]) {
      assert.equal(gitlab.readEnvelope(gitlabHeaders(event)).event, event);
    }
  });
});

describe("GitLab secret token", () => {
  it("accepts the hook's secret token in X-Gitlab-Token and refuses another", () => {
    const text = fixtureText("gitlab/push-2.json");
    const delivery = jsonDelivery(gitlabHeaders("Push Hook", { "x-gitlab-token": "s3cret-token" }), text);
    assert.equal(gitlab.hasSignature(delivery.headers), true);
    assert.equal(gitlab.verify(delivery, secret("s3cret-token")), true);
    assert.equal(gitlab.verify(delivery, secret("s3cret-tokeN")), false);
    assert.equal(gitlab.verify(delivery, secret("s3cret-token-longer")), false);
  });

  it("treats a delivery without a token or signature as unsigned", () => {
    const delivery = jsonDelivery(gitlabHeaders("Push Hook"), fixtureText("gitlab/push-2.json"));
    assert.equal(gitlab.hasSignature(delivery.headers), false);
    assert.equal(gitlab.verify(delivery, secret("s3cret-token")), false);
    assert.equal(gitlab.hasSignature(gitlabHeaders("Push Hook", { "x-gitlab-token": "" })), false);
  });
});

describe("GitLab signing token (Standard Webhooks)", () => {
  it("verifies the Standard Webhooks reference vector", () => {
    assert.equal(gitlab.hasSignature(signed().headers), true);
    assert.equal(gitlab.verify(signed(), secret(VECTOR.secret)), true);
  });

  it("refuses a changed body, id or timestamp, and another key", () => {
    assert.equal(gitlab.verify(signed({}, '{"test": 2432232315}'), secret(VECTOR.secret)), false);
    assert.equal(gitlab.verify(signed({ "webhook-id": "msg_other" }), secret(VECTOR.secret)), false);
    assert.equal(gitlab.verify(signed({ "webhook-timestamp": "1614265331" }), secret(VECTOR.secret)), false);
    assert.equal(gitlab.verify(signed(), secret("whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA==")), false);
  });

  it("accepts one valid v1 entry among several, and ignores other schemes", () => {
    const value = VECTOR.signature.slice(3);
    assert.equal(gitlab.verify(signed({ "webhook-signature": `v1,Zm9vYmFy ${VECTOR.signature}` }), secret(VECTOR.secret)), true);
    assert.equal(gitlab.verify(signed({ "webhook-signature": `v1a,${value}` }), secret(VECTOR.secret)), false);
    assert.equal(gitlab.verify(signed({ "webhook-signature": value }), secret(VECTOR.secret)), false);
    assert.equal(gitlab.verify(signed({ "webhook-signature": `v1,${value.slice(0, -2)}` }), secret(VECTOR.secret)), false);
  });

  it("refuses a secret that is not a whsec_ signing token, and missing signing headers", () => {
    assert.equal(gitlab.verify(signed(), secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")), false);
    assert.equal(gitlab.verify(signed(), secret("whsec_not base64!")), false);
    assert.equal(gitlab.verify(signed({ "webhook-id": "" }), secret(VECTOR.secret)), false);
    assert.equal(gitlab.verify(signed({ "webhook-timestamp": "soon" }), secret(VECTOR.secret)), false);
  });

  it("accepts a signed delivery whose token is wrong, and a right token with a wrong signature", () => {
    assert.equal(gitlab.verify(signed({ "x-gitlab-token": "stale" }), secret(VECTOR.secret)), true);
    assert.equal(gitlab.verify(signed({ "x-gitlab-token": VECTOR.secret, "webhook-signature": "v1,AAAA" }), secret(VECTOR.secret)), true);
  });

  it("refuses a signature more than five minutes from the clock, either way, and only a signed one", () => {
    const signedAt = Number(VECTOR.timestamp) * 1000;
    const stale = (now: number) => gitlab.staleSignature?.(signed().headers, now);
    assert.equal(stale(signedAt), undefined);
    assert.equal(stale(signedAt + 5 * 60_000), undefined, "exactly five minutes late is still in time");
    assert.equal(stale(signedAt - 5 * 60_000), undefined, "and so is five minutes early");
    assert.match(stale(signedAt + 5 * 60_000 + 1000) ?? "", /^the delivery was signed 5 minutes ago \(webhook-timestamp 1614265330\); signatures are accepted for 5 minutes either way, so a replayed or delayed delivery is refused/);
    assert.match(stale(signedAt + 3 * 86_400_000) ?? "", /signed 4320 minutes ago/);
    assert.match(stale(signedAt - 10 * 60_000) ?? "", /signed 10 minutes ahead of this server's clock .*check both clocks \(NTP\)$/);
    assert.equal(gitlab.staleSignature?.(gitlabHeaders("Push Hook", { "x-gitlab-token": "t" }), signedAt + 86_400_000), undefined,
      "the secret token carries no time");
  });

  it("signs the exact body of a real push", () => {
    const text = fixtureText("gitlab/push-1.json");
    const key = Buffer.from(VECTOR.secret.slice("whsec_".length), "base64");
    const mac = createHmac("sha256", key).update(`evt-1.1730000000.${text}`).digest("base64");
    const delivery = jsonDelivery(
      gitlabHeaders("Push Hook", { "webhook-id": "evt-1", "webhook-timestamp": "1730000000", "webhook-signature": `v1,${mac}` }),
      text,
    );
    assert.equal(gitlab.verify(delivery, secret(VECTOR.secret)), true);
  });
});

describe("GitLab push and tag push", () => {
  it("normalises a push; the newest 20 of total_commits_count are sent, so 2 of 4 is incomplete", () => {
    assert.deepEqual(handled("Push Hook", fixtureJson("gitlab/push-1.json")), {
      forge: "gitlab",
      forgeEvent: "Push Hook",
      kind: "push",
      deleted: false,
      repo: "mike/diaspora",
      ref: "refs/heads/master",
      branch: "master",
      rev: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
      before: "95790bf891e76fee5e1747ab589903a6a1f80f22",
      cloneUrl: "http://example.com/mike/diaspora.git",
      sshUrl: "git@example.com:mike/diaspora.git",
      sender: "jsmith",
      title: "fixed readme",
      headCommitMessage: "fixed readme",
      changedFiles: { paths: ["CHANGELOG", "app/controller/application.rb"], complete: false },
    });
    assert.equal(handled("Push Hook", fixtureJson("gitlab/push-2.json")).changedFiles?.complete, true);
  });

  it("marks a branch deletion deleted, with no commit to build", () => {
    const event = handled("Push Hook", fixtureJson("gitlab/push-4.json"));
    assert.equal(event.deleted, true);
    assert.equal(event.branch, "feature");
    assert.equal(event.rev, undefined);
    assert.equal(event.changedFiles, undefined);
  });

  it("normalises a tag push, building the commit the tag points to", () => {
    const event = handled("Tag Push Hook", fixtureJson("gitlab/tag_push-1.json"));
    assert.equal(event.kind, "tag");
    assert.equal(event.tag, "v1.0.0");
    assert.equal(event.ref, "refs/tags/v1.0.0");
    assert.equal(event.rev, "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7");
    assert.equal("before" in event, false);

    const annotated = { ...fixtureJson("gitlab/tag_push-1.json"), after: "1".repeat(40) };
    assert.equal(handled("Tag Push Hook", annotated).rev, "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7");

    const deleted = handled("Tag Push Hook", fixtureJson("gitlab/tag_push-3.json"));
    assert.equal(deleted.kind, "tag");
    assert.equal(deleted.deleted, true);
    assert.equal(deleted.rev, undefined);
  });
});

describe("GitLab merge requests", () => {
  it("normalises an opened merge request", () => {
    assert.deepEqual(handled("Merge Request Hook", fixtureJson("gitlab/merge_request-1.json")), {
      forge: "gitlab",
      forgeEvent: "Merge Request Hook",
      kind: "pull_request",
      deleted: false,
      action: "opened",
      repo: "gitlab-org/hello-world",
      ref: "refs/merge-requests/1/head",
      branch: "feature",
      rev: "c4c79227ed610f1151f05bbc5be33b4f340d39c8",
      cloneUrl: "https://gitlab.com/gitlab-org/hello-world.git",
      sshUrl: "git@gitlab.com:gitlab-org/hello-world.git",
      pr: 1,
      baseBranch: "master",
      sender: "sytses",
      title: "update readme",
    });
  });

  it("spells GitLab's actions as GitHub does; an update is a synchronize only with new commits", () => {
    const payload = fixtureJson("gitlab/merge_request-1.json");
    const attributes = payload["object_attributes"] as Record<string, unknown>;
    const action = (value: string, extra: Record<string, unknown> = {}) =>
      handled("Merge Request Hook", { ...payload, object_attributes: { ...attributes, action: value, ...extra } }).action;
    assert.equal(action("reopen"), "reopened");
    assert.equal(action("close"), "closed");
    assert.equal(action("merge"), "merged");
    assert.equal(action("update", { oldrev: "95790bf891e76fee5e1747ab589903a6a1f80f22" }), "synchronize");
    assert.equal(action("update"), "edited");
    assert.equal(action("approved"), "approved");
  });

  it("fetches a merge request from a fork out of the source project", () => {
    const payload = fixtureJson("gitlab/merge_request-1.json");
    const attributes = payload["object_attributes"] as Record<string, unknown>;
    attributes["source"] = { git_http_url: "https://gitlab.com/fork/hello-world.git", git_ssh_url: "git@gitlab.com:fork/hello-world.git" };
    const event = handled("Merge Request Hook", payload);
    assert.equal(event.cloneUrl, "https://gitlab.com/fork/hello-world.git");
    assert.equal(event.sshUrl, "git@gitlab.com:fork/hello-world.git");
    assert.equal(event.repo, "gitlab-org/hello-world");
  });
});

describe("GitLab events that start nothing, and bad shapes", () => {
  it("answers known unrouted events as not routed, with the project", () => {
    const result = normalise("System Hook", fixtureJson("gitlab/push-2.json"));
    assert.deepEqual(result, {
      handled: false,
      forgeEvent: "System Hook",
      repo: "gitlab-org/hello-world",
      reason: 'GitLab "System Hook" events start no jobs; laminar-hooks routes pushes, tags, pull requests and releases',
    });
  });

  it("answers 400 naming the field", () => {
    const { project: _p, ...noProject } = fixtureJson("gitlab/push-2.json");
    expect400(() => normalise("Push Hook", noProject), /^the GitLab Push Hook payload cannot be used: the field "project" is missing$/);

    const mr = fixtureJson("gitlab/merge_request-1.json");
    const attributes = mr["object_attributes"] as Record<string, unknown>;
    expect400(
      () => normalise("Merge Request Hook", { ...mr, object_attributes: { ...attributes, iid: "1" } }),
      /the field "object_attributes.iid" must be a number, not a string \("1"\)/,
    );
  });

  it("reads the project of any event, and none from odd shapes", () => {
    assert.equal(gitlab.readRepository(fixtureJson("gitlab/merge_request-1.json")), "gitlab-org/hello-world");
    for (const payload of [null, 1, [], { project: "x" }, { project: { path_with_namespace: 1 } }]) {
      assert.equal(gitlab.readRepository(payload), undefined);
    }
  });
});
