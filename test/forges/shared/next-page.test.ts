import assert from "node:assert/strict";
import { test } from "node:test";
import { nextPageUrl } from "../../../src/forges/shared/next-page.ts";

test("the next page of GitHub's Link header", () => {
  const link = '<https://api.github.com/repositories/1/hooks/2/deliveries?per_page=100&cursor=v1_123>; rel="next", <https://api.github.com/x?cursor=v1_9>; rel="prev"';
  assert.equal(nextPageUrl(link), "https://api.github.com/repositories/1/hooks/2/deliveries?per_page=100&cursor=v1_123");
  assert.equal(nextPageUrl('<https://a.example/p?page=3>; rel="last", <https://a.example/p?page=2>; rel=next'), "https://a.example/p?page=2");
});

test("the last page has no next", () => {
  assert.equal(nextPageUrl('<https://a.example/p?page=1>; rel="first", <https://a.example/p?page=1>; rel="prev"'), undefined);
  assert.equal(nextPageUrl(undefined), undefined);
  assert.equal(nextPageUrl(""), undefined);
});
