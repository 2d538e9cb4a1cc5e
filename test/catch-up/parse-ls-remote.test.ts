import assert from "node:assert/strict";
import { test } from "node:test";
import { parseLsRemote } from "../../src/catch-up/parse-ls-remote.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);

test("branches and lightweight tags name their commit; annotated tags are peeled with ^{}", () => {
  const output = [`${A}\trefs/heads/main`, `${B}\trefs/tags/v1.0`, `${C}\trefs/tags/v1.0^{}`, `${C}\trefs/tags/light`, ""].join("\n");
  assert.deepEqual([...parseLsRemote(output)], [
    ["refs/heads/main", { sha: A, peeled: A }],
    ["refs/tags/v1.0", { sha: B, peeled: C }],
    ["refs/tags/light", { sha: C, peeled: C }],
  ]);
});

test("a peeled line before its tag still peels it", () => {
  assert.deepEqual([...parseLsRemote(`${C}\trefs/tags/v2^{}\n${B}\trefs/tags/v2\n`)], [["refs/tags/v2", { sha: B, peeled: C }]]);
});

test("other refs, warnings and odd lines are skipped; SHA-256 ids are heads too", () => {
  const sha256 = "d".repeat(64);
  const output = [
    "warning: redirecting to https://example.com/repo.git/",
    `${A}\tHEAD`,
    `${A}\trefs/pull/7/head`,
    `${A}\trefs/heads/with space`,
    `${A.slice(1)}\trefs/heads/short`,
    `${sha256}\trefs/heads/sha256\r`,
  ].join("\n");
  assert.deepEqual([...parseLsRemote(output)], [["refs/heads/sha256", { sha: sha256, peeled: sha256 }]]);
});
