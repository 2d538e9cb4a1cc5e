import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { detectForge, forges } from "../../src/forges/index.ts";
import { FORGE_NAMES } from "../../src/types.ts";
import { forgejoHeaders, giteaHeaders, githubHeaders, gitlabHeaders, gogsHeaders } from "./fixture-delivery.ts";

describe("detectForge", () => {
  it("takes a GitHub delivery for GitHub", () => {
    assert.equal(detectForge(githubHeaders("push", "sha256=00"))?.name, "github");
  });

  it("takes a Gitea delivery for Gitea although it carries X-Gogs-*, X-GitHub-* and X-Hub-Signature*", () => {
    assert.equal(detectForge(giteaHeaders("push", "ab"))?.name, "gitea");
    assert.equal(detectForge(giteaHeaders("push"))?.name, "gitea");
  });

  it("takes a Forgejo delivery for Forgejo although it carries all of Gitea's headers", () => {
    assert.equal(detectForge(forgejoHeaders("push", "ab"))?.name, "forgejo");
  });

  it("takes a Gogs delivery for Gogs", () => {
    assert.equal(detectForge(gogsHeaders("push", "ab"))?.name, "gogs");
  });

  it("takes a GitLab delivery for GitLab", () => {
    assert.equal(detectForge(gitlabHeaders("Push Hook", { "x-gitlab-token": "t" }))?.name, "gitlab");
  });

  it("names no forge for a request without any forge's event header", () => {
    assert.equal(detectForge({ "content-type": "application/json", "user-agent": "curl/8.5.0" }), undefined);
    assert.equal(detectForge({}), undefined);
  });
});

describe("forges", () => {
  it("has one forge under each name laminar-hooks knows, named after its key", () => {
    assert.deepEqual(Object.keys(forges).sort(), [...FORGE_NAMES].sort());
    for (const name of FORGE_NAMES) assert.equal(forges[name].name, name);
  });

  it("lets each forge read the envelope of its own real headers", () => {
    assert.deepEqual(forges.github.readEnvelope(githubHeaders("push")), {
      forge: "github",
      event: "push",
      deliveryId: "f5b6c2e0-5d8c-11ef-8a7b-3c5d1e2f4a6b",
    });
    assert.equal(forges.gitea.readEnvelope(giteaHeaders("push")).forge, "gitea");
    assert.equal(forges.forgejo.readEnvelope(forgejoHeaders("push")).forge, "forgejo");
    assert.equal(forges.gogs.readEnvelope(gogsHeaders("push")).forge, "gogs");
    assert.equal(forges.gitlab.readEnvelope(gitlabHeaders("Push Hook")).forge, "gitlab");
  });
});
