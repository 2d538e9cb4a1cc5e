import assert from "node:assert/strict";
import { test } from "node:test";
import { ActionTokens, newOnce } from "../../src/ui/action-token.ts";

test("a token holds for its user and action in this process only", () => {
  const tokens = new ActionTokens();
  const token = tokens.tokenFor("admin", "rebuild");
  assert.ok(tokens.verify("admin", "rebuild", token));
  assert.ok(!tokens.verify("admin", "abort", token), "another action");
  assert.ok(!tokens.verify("other", "rebuild", token), "another user");
  assert.ok(!tokens.verify("admin", "rebuild", ""));
  assert.ok(!tokens.verify("admin", "rebuild", `${token}x`));
  assert.ok(!new ActionTokens().verify("admin", "rebuild", token), "a restart draws a new key");
});

test("each form gets its own idempotency key", () => {
  const keys = new Set(Array.from({ length: 100 }, newOnce));
  assert.equal(keys.size, 100);
  for (const key of keys) assert.match(key, /^[A-Za-z0-9_-]{22}$/);
});
