import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { gitea } from "../../src/forges/gitea/index.ts";
import type { Normalised } from "../../src/forges/types.ts";
import type { HookEvent } from "../../src/types.ts";
import { expect400 } from "./expect-400.ts";
import { fixtureJson, fixtureText, formDelivery, giteaHeaders, jsonDelivery, secret } from "./fixture-delivery.ts";

const PR_4_SECRET = "71295b197fa25f4356d2fb9965df3f2379d903d7";
const PR_4_SIGNATURE = "a31111f057bafe895837f4a93c0f1f528919c199a20438b1fc8e23485780a33a";
const ZERO = "0".repeat(40);

function normalise(event: string, payload: unknown): Normalised {
  return gitea.normalise({ forge: "gitea", event, deliveryId: "d" }, payload);
}

function handled(event: string, payload: unknown): HookEvent {
  const result = normalise(event, payload);
  assert.ok(result.handled, `expected a handled event, got ${JSON.stringify(result)}`);
  return result.event;
}

describe("Gitea envelope", () => {
  it("reads the coarse event name of X-Gitea-Event, as for a pull_request_sync delivery", () => {
    assert.deepEqual(gitea.readEnvelope(giteaHeaders("pull_request", "", "pull_request_sync")), {
      forge: "gitea",
      event: "pull_request",
      deliveryId: "f5b6c2e0-5d8c-11ef-8a7b-3c5d1e2f4a6b",
    });
  });

  it("falls back to X-Gitea-Event-Type when X-Gitea-Event is empty (events Event() does not map)", () => {
    assert.equal(gitea.readEnvelope(giteaHeaders("", "", "package")).event, "package");
  });

  it("answers 400 naming the header when the event or delivery id is missing", () => {
    expect400(() => gitea.readEnvelope(giteaHeaders("", "", "")), /missing X-Gitea-Event header/);
    expect400(() => gitea.readEnvelope({ ...giteaHeaders("push"), "x-gitea-delivery": "" }), /missing X-Gitea-Delivery header/);
  });

  it("answers 400 for an event Gitea does not define, and accepts the ones it does", () => {
    expect400(() => gitea.readEnvelope(giteaHeaders("pushh")), /^unknown Gitea event "pushh"/);
    for (const event of ["create", "delete", "issues", "issue_comment", "pull_request_approved", "wiki", "repository"]) {
      assert.equal(gitea.readEnvelope(giteaHeaders(event)).event, event);
    }
  });
});

describe("Gitea signature", () => {
  it("verifies pull_request-4.json with the go-scm vector, and refuses a wrong secret", () => {
    const delivery = jsonDelivery(giteaHeaders("pull_request", PR_4_SIGNATURE), fixtureText("gitea/pull_request-4.json"));
    assert.equal(gitea.hasSignature(delivery.headers), true);
    assert.equal(gitea.verify(delivery, secret(PR_4_SECRET)), true);
    assert.equal(gitea.verify(delivery, secret(`${PR_4_SECRET}x`)), false);
  });

  it("checks a form delivery over the JSON inside it, not over the form body", () => {
    const text = fixtureText("gitea/pull_request-4.json");
    assert.equal(gitea.verify(formDelivery(giteaHeaders("pull_request", PR_4_SIGNATURE), text), secret(PR_4_SECRET)), true);

    const form = formDelivery(giteaHeaders("pull_request"), text);
    const overForm = createHmac("sha256", PR_4_SECRET).update(form.rawBody).digest("hex");
    assert.equal(gitea.verify({ ...form, headers: giteaHeaders("pull_request", overForm) }, secret(PR_4_SECRET)), false);
  });

  it("counts the empty signature headers Gitea sends for a hook without a secret as no signature", () => {
    const delivery = jsonDelivery(giteaHeaders("pull_request", ""), fixtureText("gitea/pull_request-4.json"));
    assert.equal(delivery.headers["x-gitea-signature"], "");
    assert.equal(gitea.hasSignature(delivery.headers), false);
    assert.equal(gitea.verify(delivery, secret(PR_4_SECRET)), false);
  });

  it("refuses truncated, overlong, non-hex and GitHub-prefixed signatures without throwing", () => {
    const text = fixtureText("gitea/pull_request-4.json");
    for (const bad of [PR_4_SIGNATURE.slice(0, -1), `${PR_4_SIGNATURE}a`, `${PR_4_SIGNATURE.slice(0, -1)}x`, `sha256=${PR_4_SIGNATURE}`, " "]) {
      assert.equal(gitea.verify(jsonDelivery(giteaHeaders("pull_request", bad), text), secret(PR_4_SECRET)), false, bad);
    }
  });
});

describe("Gitea push", () => {
  it("normalises a push of the older format, finding the head commit among the commits", () => {
    assert.deepEqual(handled("push", fixtureJson("gitea/push-3.json")), {
      forge: "gitea",
      forgeEvent: "push",
      kind: "push",
      deleted: false,
      repo: "gogits/hello-world",
      ref: "refs/heads/master",
      branch: "master",
      rev: "4522cbcefc20728a5b72b3a86af35e608622c514",
      before: "9836a96a253cce25d17988fcf41b8c4205cf779f",
      cloneUrl: "http://try.gitea.io/gogits/hello-world.git",
      sshUrl: "git@localhost:gogits/hello-world.git",
      sender: "unknwon",
      title: "Updated readme",
      headCommitMessage: "Updated readme\n",
      // No total_commits: Gitea may have cut the list short without saying so.
      changedFiles: { paths: ["README.md"], complete: false },
    });
  });

  it("trusts the file list only when total_commits says every commit was sent", () => {
    const payload = { ...fixtureJson("gitea/push-3.json"), total_commits: 1 };
    assert.deepEqual(handled("push", payload).changedFiles, { paths: ["README.md"], complete: true });
    assert.equal(handled("push", { ...payload, total_commits: 7 }).changedFiles?.complete, false);
    // The documented example's commits carry no file lists at all.
    assert.deepEqual(handled("push", { ...fixtureJson("gitea/push-1.json"), total_commits: 1 }).changedFiles, {
      paths: [],
      complete: false,
    });
  });

  it("takes the head commit from head_commit, and leaves out the zero `before` of a new branch", () => {
    const event = handled("push", fixtureJson("gitea/push-2.json"));
    assert.equal(event.title, "example");
    assert.equal(event.headCommitMessage, "example\n");
    assert.equal("before" in event, false);
    assert.equal(event.changedFiles?.complete, false);
  });

  it("treats the Test Delivery push (before == after) as an ordinary push", () => {
    const payload = fixtureJson("gitea/push-3.json");
    payload["before"] = payload["after"];
    const event = handled("push", payload);
    assert.equal(event.kind, "push");
    assert.equal(event.deleted, false);
    assert.equal(event.rev, "4522cbcefc20728a5b72b3a86af35e608622c514");
    assert.equal(event.before, "4522cbcefc20728a5b72b3a86af35e608622c514");
  });

  it("makes a tag push a tag event and a zero `after` a deletion", () => {
    const tag = handled("push", { ...fixtureJson("gitea/push-3.json"), ref: "refs/tags/v1.0.0", before: ZERO });
    assert.equal(tag.kind, "tag");
    assert.equal(tag.tag, "v1.0.0");
    assert.equal(tag.branch, undefined);

    const gone = handled("push", { ...fixtureJson("gitea/push-3.json"), after: ZERO, commits: null, head_commit: null });
    assert.equal(gone.deleted, true);
    assert.equal(gone.rev, undefined);
    assert.equal(gone.branch, "master");
    assert.equal(gone.changedFiles, undefined);
  });
});

describe("Gitea pull_request", () => {
  it("fetches a pull request from a fork out of the fork", () => {
    assert.deepEqual(handled("pull_request", fixtureJson("gitea/pull_request-1.json")), {
      forge: "gitea",
      forgeEvent: "pull_request",
      kind: "pull_request",
      deleted: false,
      action: "opened",
      repo: "example/example",
      ref: "refs/pull/2/head",
      branch: "master",
      rev: "48e773f892a831faa47c0a160d1b7f0cd369ae2a",
      cloneUrl: "http://localhost:3000/example2/example.git",
      sshUrl: "git@localhost:example2/example.git",
      pr: 2,
      baseBranch: "master",
      sender: "example2",
      title: "update",
    });
  });

  it("falls back to the base repository when the fork is gone", () => {
    const payload = fixtureJson("gitea/pull_request-1.json");
    (payload["pull_request"] as { head: Record<string, unknown> }).head["repo"] = null;
    assert.equal(handled("pull_request", payload).cloneUrl, "http://localhost:3000/example/example.git");
  });

  it("spells Gitea's `synchronized` as GitHub's `synchronize`", () => {
    assert.equal(handled("pull_request", fixtureJson("gitea/pull_request-2.json")).action, "synchronize");
    assert.equal(handled("pull_request", fixtureJson("gitea/pull_request-4.json")).action, "edited");
  });
});

describe("Gitea release and unrouted events", () => {
  it("normalises a release to its tag", () => {
    const event = handled("release", fixtureJson("gitea/release-1.json"));
    assert.equal(event.kind, "release");
    assert.equal(event.action, "published");
    assert.equal(event.tag, "example");
    assert.equal(event.ref, "refs/tags/example");
    assert.equal(event.title, "0.0.0");
    assert.equal(event.rev, undefined);
  });

  it("answers create, delete and review events as not routed", () => {
    for (const [event, file] of [["create", "gitea/create-1.json"], ["delete", "gitea/delete-1.json"], ["pull_request_approved", "gitea/pull_request-4.json"]] as const) {
      const result = normalise(event, fixtureJson(file));
      assert.equal(result.handled, false, event);
      assert.ok(!result.handled);
      assert.equal(result.forgeEvent, event);
      assert.match(result.reason, new RegExp(`^Gitea "${event}" events start no jobs`));
    }
    assert.equal((normalise("create", fixtureJson("gitea/create-1.json")) as { repo?: string }).repo, "example/example");
  });
});

describe("Gitea payloads of the wrong shape", () => {
  it("answers 400 naming the field", () => {
    const { repository: _r, ...noRepository } = fixtureJson("gitea/push-3.json");
    expect400(() => normalise("push", noRepository), /^the Gitea push payload cannot be used: the field "repository" is missing$/);
    expect400(() => normalise("push", { ...fixtureJson("gitea/push-3.json"), total_commits: "1" }), /"total_commits" must be a number/);

    const pr = fixtureJson("gitea/pull_request-1.json");
    expect400(() => normalise("pull_request", { ...pr, number: "2" }), /the field "number" must be a number/);
    const { head: _h, ...noHead } = pr["pull_request"] as Record<string, unknown>;
    expect400(() => normalise("pull_request", { ...pr, pull_request: noHead }), /the field "pull_request.head.ref" is missing/);
  });

  it("reads the repository of any event, and none from odd shapes", () => {
    assert.equal(gitea.readRepository(fixtureJson("gitea/delete-1.json")), "example/example");
    for (const payload of [null, "x", [], { repository: [] }, { repository: { full_name: "" } }]) {
      assert.equal(gitea.readRepository(payload), undefined);
    }
  });
});
