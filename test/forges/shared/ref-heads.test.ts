import assert from "node:assert/strict";
import { test } from "node:test";
import { cloneUrlFromApi, encodeSegments, splitRef } from "../../../src/forges/shared/ref-heads.ts";

test("a clone URL from each forge's API root: github.com, GitHub Enterprise Server, Gitea under a sub-path, GitLab", () => {
  assert.equal(cloneUrlFromApi("https://api.github.com", "acme/app"), "https://github.com/acme/app.git");
  assert.equal(cloneUrlFromApi("https://ghe.example/api/v3/", "acme/app"), "https://ghe.example/acme/app.git");
  assert.equal(cloneUrlFromApi("https://forge.example/git/api/v1", "acme/app"), "https://forge.example/git/acme/app.git");
  assert.equal(cloneUrlFromApi("http://127.0.0.1:8929/api/v4", "group/sub/app"), "http://127.0.0.1:8929/group/sub/app.git");
});

test("a ref's kind and name, its name as path segments (slashes kept, the rest encoded)", () => {
  assert.deepEqual(splitRef("refs/heads/feature/x"), ["heads", "feature/x"]);
  assert.deepEqual(splitRef("refs/tags/v1.2"), ["tags", "v1.2"]);
  assert.throws(() => splitRef("refs/pull/1/head"), /not a branch or tag ref/);
  assert.equal(encodeSegments("feature/a b#1"), "feature/a%20b%231");
});
