import assert from "node:assert/strict";
import { test } from "node:test";
import { matchesAnyGlob, matchesGlob } from "../../src/routing/glob.ts";

test("a glob compiled once answers alike each time, with and without case kept apart", () => {
  for (let i = 0; i < 3; i++) {
    assert.equal(matchesGlob("Owner/Repo", "owner/*"), false);
    assert.equal(matchesGlob("Owner/Repo", "owner/*", { nocase: true }), true);
    assert.equal(matchesGlob("release/1.2", "release/*"), true);
    assert.equal(matchesGlob("release/1.2/hotfix", "release/*"), false);
    assert.equal(matchesGlob(".github/workflows/ci.yml", ".github/**"), true, "a leading dot is ordinary");
  }
  assert.equal(matchesAnyGlob("docs/a.md", ["src/**", "docs/**"]), true);
  assert.equal(matchesAnyGlob("README.md", ["src/**", "docs/**"]), false);
  assert.equal(matchesAnyGlob("README.md", []), false);
});
