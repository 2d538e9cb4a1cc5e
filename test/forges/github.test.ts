import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { github } from "../../src/forges/github/index.ts";
import type { Normalised } from "../../src/forges/types.ts";
import type { HookEvent, IncomingDelivery } from "../../src/types.ts";
import { expect400 } from "./expect-400.ts";
import { fixtureJson, fixtureText, formDelivery, githubHeaders, jsonDelivery, secret } from "./fixture-delivery.ts";

const PUSH_5_SIGNATURE = "sha256=e3bfe744d4e2e29ed990bde8acfb8255ca51ef65f99657767989fb6349f32957";

function sign(key: string, body: string): string {
  return `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
}

function normalise(event: string, payload: unknown): Normalised {
  return github.normalise({ forge: "github", event, deliveryId: "d" }, payload);
}

function handled(event: string, payload: unknown): HookEvent {
  const result = normalise(event, payload);
  assert.ok(result.handled, `expected a handled event, got ${JSON.stringify(result)}`);
  return result.event;
}

describe("GitHub envelope", () => {
  it("reads the event and the delivery id", () => {
    assert.deepEqual(github.readEnvelope(githubHeaders("pull_request")), {
      forge: "github",
      event: "pull_request",
      deliveryId: "f5b6c2e0-5d8c-11ef-8a7b-3c5d1e2f4a6b",
    });
  });

  it("answers 400 naming the header when X-GitHub-Event or X-GitHub-Delivery is missing or empty", () => {
    const { "x-github-event": _event, ...withoutEvent } = githubHeaders("push");
    expect400(() => github.readEnvelope(withoutEvent), /missing X-GitHub-Event header/);
    expect400(() => github.readEnvelope({ ...githubHeaders("push"), "x-github-delivery": "" }), /missing X-GitHub-Delivery header/);
  });

  it("answers 400 for an event GitHub does not define, and accepts any it does", () => {
    expect400(() => github.readEnvelope(githubHeaders("pushh")), /^unknown GitHub event "pushh"/);
    for (const event of ["star", "create", "delete", "workflow_run", "ping"]) {
      assert.equal(github.readEnvelope(githubHeaders(event)).event, event);
    }
  });
});

describe("GitHub signature", () => {
  it("verifies GitHub's documented test vector", () => {
    // The docs sign the bare text `Hello, World!`, which is not JSON, so the delivery is built by hand.
    const body = "Hello, World!";
    const delivery: IncomingDelivery = {
      headers: githubHeaders("push", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
      rawBody: Buffer.from(body, "utf8"),
      payload: body,
      payloadText: body,
      contentType: "json",
    };
    assert.equal(github.verify(delivery, secret("It's a Secret to Everybody")), true);
    assert.equal(github.verify(delivery, secret("It's a secret to everybody")), false);
  });

  it("verifies push-5.json with the go-scm vector, and refuses a wrong secret", () => {
    const delivery = jsonDelivery(githubHeaders("push", PUSH_5_SIGNATURE), fixtureText("github/push-5.json"));
    assert.equal(github.hasSignature(delivery.headers), true);
    assert.equal(github.verify(delivery, secret("topsecret")), true);
    assert.equal(github.verify(delivery, secret("topsecret2")), false);
  });

  it("refuses a body changed by one byte", () => {
    const text = fixtureText("github/push-5.json").replace("Update README", "Update READMF");
    assert.equal(github.verify(jsonDelivery(githubHeaders("push", PUSH_5_SIGNATURE), text), secret("topsecret")), false);
  });

  it("treats a delivery without X-Hub-Signature-256 as unsigned, even with the legacy sha1 header", () => {
    const text = fixtureText("github/push-5.json");
    const unsigned = jsonDelivery(githubHeaders("push"), text);
    assert.equal(github.hasSignature(unsigned.headers), false);
    assert.equal(github.verify(unsigned, secret("topsecret")), false);

    const sha1Only = jsonDelivery(
      { ...githubHeaders("push"), "x-hub-signature": "sha1=cf93f9ba3c8d3a789e61f91e1e5c6a360d036e98" },
      text,
    );
    assert.equal(github.hasSignature(sha1Only.headers), false);
    assert.equal(github.verify(sha1Only, secret("topsecret")), false);
  });

  it("refuses truncated, overlong, non-hex and unprefixed signatures without throwing", () => {
    const text = fixtureText("github/push-5.json");
    const hex = PUSH_5_SIGNATURE.slice("sha256=".length);
    for (const bad of [
      PUSH_5_SIGNATURE.slice(0, -1),
      `${PUSH_5_SIGNATURE}0`,
      `${PUSH_5_SIGNATURE.slice(0, -1)}g`,
      `sha256=${hex.slice(0, -2)}zz`,
      hex,
      `sha1=${hex}`,
      "sha256=",
    ]) {
      assert.equal(github.verify(jsonDelivery(githubHeaders("push", bad), text), secret("topsecret")), false, bad);
    }
  });

  it("checks a form-encoded delivery over the raw form body, not the JSON inside it", () => {
    const text = fixtureText("github/push-5.json");
    const overForm = formDelivery(githubHeaders("push"), text);
    const signed = { ...overForm, headers: githubHeaders("push", sign("topsecret", overForm.rawBody.toString("utf8"))) };
    assert.equal(github.verify(signed, secret("topsecret")), true);

    const overJson = formDelivery(githubHeaders("push", PUSH_5_SIGNATURE), text);
    assert.equal(github.verify(overJson, secret("topsecret")), false);
  });
});

describe("GitHub push", () => {
  it("normalises a branch push with everything a job gets", () => {
    assert.deepEqual(handled("push", fixtureJson("github/push-5.json")), {
      forge: "github",
      forgeEvent: "push",
      kind: "push",
      deleted: false,
      repo: "Codertocat/Hello-World",
      ref: "refs/heads/master",
      branch: "master",
      rev: "199eddf46df50de8d02e99bf1c5fdb4101338224",
      before: "a10867b14bb761a232cd80139fbd4c0d33264240",
      cloneUrl: "https://github.com/Codertocat/Hello-World.git",
      sshUrl: "git@github.com:Codertocat/Hello-World.git",
      sender: "Codertocat",
      title: "Update README",
      headCommitMessage: "Update README",
      changedFiles: { paths: ["README.md"], complete: true },
    });
  });

  it("leaves out the zero `before` of a new branch and cannot know all its changed files", () => {
    const event = handled("push", fixtureJson("github/push-1.json"));
    assert.equal(event.before, undefined);
    assert.equal("before" in event, false);
    assert.deepEqual(event.changedFiles, { paths: ["README.md"], complete: false });

    const empty = handled("push", fixtureJson("github/push-7.json"));
    assert.equal(empty.branch, "feature-branch");
    assert.equal(empty.rev, "d2b75aa7797ec26b088fa2dd527e9d2c052fcedd");
    assert.deepEqual(empty.changedFiles, { paths: [], complete: false });
  });

  it("makes a push of refs/tags/… a tag event", () => {
    const event = handled("push", fixtureJson("github/push-2.json"));
    assert.equal(event.kind, "tag");
    assert.equal(event.tag, "simple-tag");
    assert.equal(event.ref, "refs/tags/simple-tag");
    assert.equal(event.rev, "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
    assert.equal(event.branch, undefined);
    assert.equal(event.changedFiles, undefined);
    assert.equal(event.deleted, false);
  });

  it("marks branch and tag deletions deleted, with no commit to build", () => {
    const branch = handled("push", fixtureJson("github/push-6.json"));
    assert.equal(branch.kind, "push");
    assert.equal(branch.deleted, true);
    assert.equal(branch.branch, "feature-branch");
    assert.equal(branch.rev, undefined);
    assert.equal(branch.title, undefined);
    assert.equal(branch.changedFiles, undefined);

    const tag = handled("push", fixtureJson("github/push-3.json"));
    assert.equal(tag.kind, "tag");
    assert.equal(tag.deleted, true);
    assert.equal(tag.rev, undefined);

    // Without the `deleted` flag, the zero `after` still says it.
    const { deleted: _flag, ...noFlag } = fixtureJson("github/push-6.json");
    assert.equal(handled("push", noFlag).deleted, true);
  });

  it("keeps the whole head commit message and puts its first line in the title", () => {
    const payload = fixtureJson("github/push-5.json");
    payload["head_commit"] = { id: payload["after"], message: "Fix the build\n\n[skip ci] body", added: [], modified: [], removed: [] };
    const event = handled("push", payload);
    assert.equal(event.title, "Fix the build");
    assert.equal(event.headCommitMessage, "Fix the build\n\n[skip ci] body");
  });

  it("unions the paths of all commits, and says when GitHub may have left commits or lists out", () => {
    const payload = fixtureJson("github/push-5.json");
    const commit = (id: number, files: Partial<Record<"added" | "modified" | "removed", string[]>>) => ({
      id: String(id).repeat(40).slice(0, 40),
      message: `commit ${id}`,
      added: [],
      modified: [],
      removed: [],
      ...files,
    });
    payload["commits"] = [commit(1, { added: ["b.txt"], modified: ["a.txt"] }), commit(2, { removed: ["a.txt"], modified: ["c/d.ts"] })];
    assert.deepEqual(handled("push", payload).changedFiles, { paths: ["a.txt", "b.txt", "c/d.ts"], complete: true });

    payload["commits"] = Array.from({ length: 20 }, (_, i) => commit(i, { modified: [`f${i}`] }));
    assert.equal(handled("push", payload).changedFiles?.complete, false);

    payload["commits"] = [{ id: "1".repeat(40), message: "no lists" }];
    assert.deepEqual(handled("push", payload).changedFiles, { paths: [], complete: false });
  });

  it("ignores a push of a ref that is neither a branch nor a tag", () => {
    const payload = { ...fixtureJson("github/push-5.json"), ref: "refs/notes/commits" };
    const result = normalise("push", payload);
    assert.equal(result.handled, false);
    assert.ok(!result.handled);
    assert.match(result.reason, /refs\/notes\/commits/);
  });
});

describe("GitHub pull_request", () => {
  it("normalises an opened pull request", () => {
    assert.deepEqual(handled("pull_request", fixtureJson("github/pull_request-1.json")), {
      forge: "github",
      forgeEvent: "pull_request",
      kind: "pull_request",
      deleted: false,
      action: "opened",
      repo: "Codertocat/Hello-World",
      ref: "refs/pull/2/head",
      branch: "changes",
      rev: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
      cloneUrl: "https://github.com/Codertocat/Hello-World.git",
      sshUrl: "git@github.com:Codertocat/Hello-World.git",
      pr: 2,
      baseBranch: "master",
      sender: "Codertocat",
      title: "Update the README with new information.",
    });
  });

  it("keeps GitHub's `synchronize`, with the head it moved from", () => {
    const event = handled("pull_request", fixtureJson("github/pull_request-2.json"));
    assert.equal(event.action, "synchronize");
    assert.equal(event.before, "f95f852bd8fca8fcc58a9a2d6c842781e32a215e");
    assert.equal(event.rev, "ec26c3e57ca3a959ca5aad62de7213c562f8c821");
  });

  it("fetches a fork's pull request from the fork, and from the base repository once the fork is gone", () => {
    const payload = fixtureJson("github/pull_request-1.json");
    const pr = payload["pull_request"] as { head: Record<string, unknown> };
    pr.head["repo"] = { full_name: "fork/Hello-World", clone_url: "https://github.com/fork/Hello-World.git", ssh_url: "git@github.com:fork/Hello-World.git" };
    const fromFork = handled("pull_request", payload);
    assert.equal(fromFork.cloneUrl, "https://github.com/fork/Hello-World.git");
    assert.equal(fromFork.sshUrl, "git@github.com:fork/Hello-World.git");
    assert.equal(fromFork.repo, "Codertocat/Hello-World");

    pr.head["repo"] = null;
    const forkGone = handled("pull_request", payload);
    assert.equal(forkGone.cloneUrl, "https://github.com/Codertocat/Hello-World.git");
    assert.equal(forkGone.ref, "refs/pull/2/head");
  });
});

describe("GitHub release and ping", () => {
  it("normalises a published release to its tag, with no commit when target_commitish is a branch", () => {
    const event = handled("release", fixtureJson("github/release-1.json"));
    assert.equal(event.kind, "release");
    assert.equal(event.action, "published");
    assert.equal(event.tag, "0.0.1");
    assert.equal(event.ref, "refs/tags/0.0.1");
    assert.equal(event.rev, undefined);
    assert.equal(event.title, "0.0.1");

    const payload = fixtureJson("github/release-1.json");
    const release = payload["release"] as Record<string, unknown>;
    release["target_commitish"] = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
    release["name"] = "First release";
    const pinned = handled("release", payload);
    assert.equal(pinned.rev, "ec26c3e57ca3a959ca5aad62de7213c562f8c821");
    assert.equal(pinned.title, "First release");
  });

  it("normalises a repository hook's ping, and an organization hook's ping without a repository", () => {
    const repoPing = handled("ping", fixtureJson("github/ping-1.json"));
    assert.equal(repoPing.kind, "ping");
    assert.equal(repoPing.repo, "Octocoders/Hello-World");

    const orgPing = fixtureJson("github/ping-3.json");
    assert.equal(github.readRepository(orgPing), undefined);
    assert.deepEqual(handled("ping", orgPing), {
      forge: "github",
      forgeEvent: "ping",
      kind: "ping",
      deleted: false,
      sender: "Codertocat",
    });
  });
});

describe("GitHub events that start nothing", () => {
  it("answers create and delete as not routed, naming the repository and why", () => {
    for (const name of ["create-1", "delete-1"]) {
      const event = name.split("-")[0] ?? "";
      assert.deepEqual(normalise(event, fixtureJson(`github/${name}.json`)), {
        handled: false,
        forgeEvent: event,
        repo: "Codertocat/Hello-World",
        reason: `GitHub "${event}" events start no jobs; laminar-hooks routes pushes, tags, pull requests and releases`,
      });
    }
  });
});

describe("GitHub payloads of the wrong shape", () => {
  it("answers 400 naming the missing or mistyped field", () => {
    const push = fixtureJson("github/push-5.json");
    const { repository: _repository, ...noRepository } = push;
    expect400(() => normalise("push", noRepository), /^the GitHub push payload cannot be used: the field "repository" is missing$/);

    const { ref: _ref, ...noRef } = push;
    expect400(() => normalise("push", noRef), /the field "ref" is missing/);
    expect400(() => normalise("push", { ...push, ref: "" }), /the field "ref" is empty/);

    const numberName = { ...push, repository: { ...(push["repository"] as object), full_name: 42 } };
    expect400(() => normalise("push", numberName), /the field "repository.full_name" must be a string, not a number \(42\)/);

    const pr = fixtureJson("github/pull_request-1.json");
    expect400(() => normalise("pull_request", { ...pr, number: "2" }), /the field "number" must be a number, not a string \("2"\)/);

    const commits = { ...push, commits: [{ id: 7 }] };
    expect400(() => normalise("push", commits), /the field "commits\[0\].id" must be a string/);

    expect400(() => normalise("push", null), /expected a JSON object, got null/);
    expect400(() => normalise("release", []), /expected a JSON object, got an array/);
  });

  it("reads no repository from odd shapes, without throwing", () => {
    for (const payload of [null, undefined, "text", 3, [], {}, { repository: 5 }, { repository: { full_name: 3 } }, { repository: null }]) {
      assert.equal(github.readRepository(payload), undefined);
    }
    assert.equal(github.readRepository(fixtureJson("github/pull_request-1.json")), "Codertocat/Hello-World");
  });
});
