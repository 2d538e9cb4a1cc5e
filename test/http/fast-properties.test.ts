// Objects made for every request must keep V8's fast properties. An object literal with a getter
// is put in dictionary mode, and V8 keeps its getter in a pair allocated in the old generation;
// that pair keeps the getter's closure, and what the closure holds (a whole payload text), alive
// through every scavenge until the next full GC. At 10 connections that promoted ~10 KB a
// delivery and caused a full GC every ~300 ms (bench/README.md, "the p99 at 10 connections").

import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { readPayloadText } from "../../src/http/read-delivery.ts";
import { UnverifiedBudget } from "../../src/http/unverified-budget.ts";

setFlagsFromString("--allow-natives-syntax");
const hasFastProperties = new Function("object", "return %HasFastProperties(object)") as (object: object) => boolean;

test("the probe tells a literal with a getter from a plain object", () => {
  let text: string | undefined;
  const withGetter = { get text() { text ??= "made"; return text; } };
  assert.equal(hasFastProperties(withGetter), false);
  assert.equal(hasFastProperties({ text: "kept" }), true);
});

test("a JSON delivery not parsed yet has fast properties and makes its text once, when first read", () => {
  const body = Buffer.from('{"zen":"Keep it logically awesome."}');
  const delivery = readPayloadText({ "content-type": "application/json" }, body, "json");
  assert.equal(hasFastProperties(delivery), true);
  const first = delivery.payloadText;
  assert.equal(first, body.toString("utf8"));
  assert.equal(delivery.payloadText, first);
  assert.equal(hasFastProperties(delivery), true);
});

test("a hold on the unverified budget has fast properties", () => {
  const hold = new UnverifiedBudget(() => 100).hold(10)!;
  assert.equal(hasFastProperties(hold), true);
  assert.equal(hold.bytes, 10);
});
