import assert from "node:assert/strict";
import { test } from "node:test";
import { compareHeads } from "../../src/catch-up/compare-heads.ts";
import type { RemoteHead } from "../../src/catch-up/parse-ls-remote.ts";

const commit = (digit: string): RemoteHead => ({ sha: digit.repeat(40), peeled: digit.repeat(40) });
const tag = (object: string, target: string): RemoteHead => ({ sha: object.repeat(40), peeled: target.repeat(40) });
const heads = (entries: Record<string, RemoteHead>) => new Map(Object.entries(entries));

test("the same heads: no change", () => {
  const known = heads({ "refs/heads/main": commit("a"), "refs/tags/v1": tag("b", "a") });
  assert.deepEqual(compareHeads(known, heads({ "refs/heads/main": commit("a"), "refs/tags/v1": tag("b", "a") })), []);
});

test("a branch that moved names where it was", () => {
  const changes = compareHeads(heads({ "refs/heads/main": commit("a") }), heads({ "refs/heads/main": commit("c") }));
  assert.deepEqual(changes, [{ kind: "moved", ref: "refs/heads/main", head: commit("c"), before: commit("a") }]);
});

test("new branches and tags are created; gone ones deleted; in ref order", () => {
  const changes = compareHeads(
    heads({ "refs/heads/old": commit("a"), "refs/heads/main": commit("a") }),
    heads({ "refs/heads/main": commit("a"), "refs/tags/v2": tag("d", "a"), "refs/heads/feature": commit("e") }),
  );
  assert.deepEqual(changes.map((change) => [change.kind, change.ref]), [
    ["created", "refs/heads/feature"],
    ["deleted", "refs/heads/old"],
    ["created", "refs/tags/v2"],
  ]);
});

test("a tag made again on the same commit is a new tag object: it moved", () => {
  const changes = compareHeads(heads({ "refs/tags/v1": tag("b", "a") }), heads({ "refs/tags/v1": tag("f", "a") }));
  assert.deepEqual(changes.map((change) => change.kind), ["moved"]);
});

test("the first poll is not a comparison with nothing: an empty remote compared with known heads deletes them all", () => {
  const changes = compareHeads(heads({ "refs/heads/main": commit("a") }), heads({}));
  assert.deepEqual(changes, [{ kind: "deleted", ref: "refs/heads/main", before: commit("a") }]);
});
