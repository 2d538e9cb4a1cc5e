import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gogs } from "../../src/forges/gogs/index.ts";
import type { HookEvent } from "../../src/types.ts";
import { expect400 } from "./expect-400.ts";
import { fixtureJson, fixtureText, gogsHeaders, jsonDelivery, secret } from "./fixture-delivery.ts";

const PR_1_SIGNATURE = "fe7faa4703b9bf4e6834e8bdb36a8286a063d3498d7d92d81e49e1f490f087aa";

function handled(event: string, payload: unknown): HookEvent {
  const result = gogs.normalise({ forge: "gogs", event, deliveryId: "d" }, payload);
  assert.ok(result.handled, `expected a handled event, got ${JSON.stringify(result)}`);
  return result.event;
}

describe("Gogs envelope", () => {
  it("reads X-Gogs-Event and X-Gogs-Delivery", () => {
    assert.deepEqual(gogs.readEnvelope(gogsHeaders("release")), {
      forge: "gogs",
      event: "release",
      deliveryId: "f5b6c2e0-5d8c-11ef-8a7b-3c5d1e2f4a6b",
    });
  });

  it("answers 400 for Gitea-only events, which Gogs never sends", () => {
    expect400(() => gogs.readEnvelope(gogsHeaders("pull_request_sync")), /^unknown Gogs event "pull_request_sync"/);
  });
});

describe("Gogs signature", () => {
  it("verifies pull_request-1.json with the go-scm vector, and refuses a wrong secret or an empty header", () => {
    const text = fixtureText("gogs/pull_request-1.json");
    const delivery = jsonDelivery(gogsHeaders("pull_request", PR_1_SIGNATURE), text);
    assert.equal(gogs.hasSignature(delivery.headers), true);
    assert.equal(gogs.verify(delivery, secret("topsecret")), true);
    assert.equal(gogs.verify(delivery, secret("topsecreT")), false);

    const unsigned = jsonDelivery(gogsHeaders("pull_request", ""), text);
    assert.equal(gogs.hasSignature(unsigned.headers), false);
    assert.equal(gogs.verify(unsigned, secret("topsecret")), false);
  });
});

describe("Gogs payloads", () => {
  it("normalises a pull request from head_branch/base_branch, with no head commit to give", () => {
    assert.deepEqual(handled("pull_request", fixtureJson("gogs/pull_request-1.json")), {
      forge: "gogs",
      forgeEvent: "pull_request",
      kind: "pull_request",
      deleted: false,
      action: "edited",
      repo: "gogits/hello-world",
      ref: "refs/pull/2/head",
      branch: "feature",
      cloneUrl: "http://try.gogs.io/gogits/hello-world.git",
      sshUrl: "git@localhost:gogits/hello-world.git",
      pr: 2,
      baseBranch: "master",
      sender: "unknwon",
      title: "huge improvements",
    });
  });

  it("answers 400 naming head_branch when a Gogs pull request lacks it", () => {
    const payload = fixtureJson("gogs/pull_request-1.json");
    const { head_branch: _b, ...pr } = payload["pull_request"] as Record<string, unknown>;
    expect400(
      () => gogs.normalise({ forge: "gogs", event: "pull_request", deliveryId: "d" }, { ...payload, pull_request: pr }),
      /^the Gogs pull_request payload cannot be used: the field "pull_request.head_branch" is missing$/,
    );
  });

  it("normalises a push; without total_commits the file list may be short", () => {
    const event = handled("push", fixtureJson("gogs/push-1.json"));
    assert.equal(event.kind, "push");
    assert.equal(event.branch, "master");
    assert.equal(event.rev, "4522cbcefc20728a5b72b3a86af35e608622c514");
    assert.equal(event.sender, "unknwon");
    assert.deepEqual(event.changedFiles, { paths: ["README.md"], complete: false });
  });
});
