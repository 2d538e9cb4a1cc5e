import assert from "node:assert/strict";
import { test } from "node:test";
import { buildEnvironment } from "../../src/laminar/build-environment.ts";

const base = { PATH: "/usr/bin", HOME: "/root", JOB: "outer", RUN: "7", __LAMINAR_SETENV_PIPE: "9", LAMINAR_HOST: "old", UNSET: undefined };

test("drops JOB, RUN and __LAMINAR_SETENV_PIPE, keeps the rest, sets host and reason", () => {
  const env = buildEnvironment({ host: "unix-abstract:laminar", reason: "GitHub push to a/b master (3f2c1a9) by sbrl" }, base);
  assert.deepEqual(env, {
    PATH: "/usr/bin",
    HOME: "/root",
    LAMINAR_HOST: "unix-abstract:laminar",
    LAMINAR_REASON: "GitHub push to a/b master (3f2c1a9) by sbrl",
  });
});

test("does not change the base environment", () => {
  const copy = { ...base };
  buildEnvironment({ host: "h", reason: "r" }, copy);
  assert.deepEqual(copy, base);
});

test("an empty host leaves laminarc its default; a reason loses only NUL", () => {
  const env = buildEnvironment({ host: "", reason: "a\0b \"c\" $d\nü" }, base);
  assert.equal("LAMINAR_HOST" in env, false);
  assert.equal(env["LAMINAR_REASON"], "ab \"c\" $d\nü");
});

test("defaults to process.env", () => {
  const env = buildEnvironment({ host: "h", reason: "r" });
  assert.equal(env["PATH"], process.env["PATH"]);
});
