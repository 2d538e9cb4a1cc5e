// The list's query string: what it accepts, what it refuses with a 400, and the links it makes.

import assert from "node:assert/strict";
import { test } from "node:test";
import { HttpError } from "../../src/errors.ts";
import { listHref, parseListQuery } from "../../src/ui/list-query.ts";

test("filters and a cursor are parsed; empty fields are no filter", () => {
  assert.deepEqual(parseListQuery({}), { limit: 50 });
  assert.deepEqual(parseListQuery({ status: "", repo: "" }), { limit: 50 });
  assert.deepEqual(parseListQuery({ status: "failed", repo: "acme/app", limit: "10", before: "1700000000000-17" }),
    { limit: 10, status: "failed", repo: "acme/app", before: { receivedAt: 1_700_000_000_000, id: 17 } });
  assert.deepEqual(parseListQuery({ after: "5-6" }), { limit: 50, after: { receivedAt: 5, id: 6 } });
});

test("anything else is a 400 that says what is allowed", () => {
  const cases: [Record<string, string | string[]>, RegExp][] = [
    [{ status: "broken" }, /status must be one of ignored, queued, done, failed/],
    [{ limit: "0" }, /limit must be a whole number from 1 to 200/],
    [{ limit: "2.5" }, /limit/],
    [{ before: "-1-2" }, /before must be a page cursor/],
    [{ after: "1e3-1" }, /after must be a page cursor/],
    [{ repo: ["a/b", "c/d"] }, /give repo once/],
  ];
  for (const [query, message] of cases) {
    assert.throws(() => parseListQuery(query), (error: unknown) => error instanceof HttpError && error.status === 400 && message.test(error.message));
  }
});

test("links keep the filters and parse back to the same query", () => {
  const href = listHref({ status: "queued", repo: "a b/c&d", limit: 20 }, { before: { receivedAt: 9, id: 3 } });
  assert.equal(href, "./?status=queued&repo=a+b%2Fc%26d&limit=20&before=9-3");
  const parsed = parseListQuery(Object.fromEntries(new URLSearchParams(href.slice(3))));
  assert.deepEqual(parsed, { limit: 20, status: "queued", repo: "a b/c&d", before: { receivedAt: 9, id: 3 } });
  assert.equal(listHref({ limit: 50 }), "./");
});
