import assert from "node:assert/strict";
import { test } from "node:test";
import { buildArguments, LaminarArgumentError, MAX_ARGUMENT_BYTES } from "../../src/laminar/build-arguments.ts";

test("one job per call, parameters as k=v in the order given", () => {
  assert.deepEqual(buildArguments({ job: "wiki", params: { rev: "3f2c1a9", branch: "master" } }), [
    "queue",
    "wiki",
    "rev=3f2c1a9",
    "branch=master",
  ]);
  assert.deepEqual(buildArguments({ job: "wiki", params: {} }), ["queue", "wiki"]);
});

test("values are passed verbatim: spaces, newlines, quotes, $, =, unicode, empty", () => {
  const value = "a b\nc 'd' \"e\" $HOME `x` = ü 🚀";
  assert.deepEqual(buildArguments({ job: "j", params: { title: value, empty: "" } }), ["queue", "j", `title=${value}`, "empty="]);
});

test("refuses what laminarc would silently change", () => {
  assert.throws(() => buildArguments({ job: "", params: {} }), LaminarArgumentError);
  assert.throws(() => buildArguments({ job: "a=b", params: {} }), /reads as a parameter/);
  assert.throws(() => buildArguments({ job: "j", params: { "": "x" } }), /empty name/);
  assert.throws(() => buildArguments({ job: "j", params: { "a=b": "x" } }), /contains "="/);
  assert.throws(() => buildArguments({ job: "j", params: { a: "x\0y" } }), /NUL/);
});

test("refuses an argument longer than Linux allows", () => {
  const fits = "x".repeat(MAX_ARGUMENT_BYTES - "v=".length - 1);
  assert.equal(buildArguments({ job: "j", params: { v: fits } }).length, 3);
  assert.throws(() => buildArguments({ job: "j", params: { v: `${fits}x` } }), /128 KiB/);
  // Bytes, not characters: "é" is two bytes in UTF-8.
  assert.throws(() => buildArguments({ job: "j", params: { v: "é".repeat(MAX_ARGUMENT_BYTES / 2) } }), /128 KiB/);
});
