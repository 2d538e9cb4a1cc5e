import assert from "node:assert/strict";
import { test } from "node:test";
import { parseTemplate } from "../../src/config/parse-template.ts";
import { renderTemplate } from "../../src/routing/render-template.ts";
import { fixtureJson } from "../forges/fixture-delivery.ts";

function render(source: string, payload: unknown, builtIns: Record<string, string> = {}): string {
  const parsed = parseTemplate(source);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return renderTemplate(parsed.template, builtIns, payload);
}

const push = fixtureJson("gitlab/push-1.json");

test("built-in parameters fill in; one the delivery lacks is empty", () => {
  assert.equal(render("{{ branch }}@{{ rev }}", {}, { branch: "master", rev: "da15608" }), "master@da15608");
  assert.equal(render("v{{ tag }}", {}, { branch: "master" }), "v");
});

test("payload paths read the delivery's JSON, digits index arrays", () => {
  assert.equal(render("{{ payload.project.name }}", push), "Diaspora");
  assert.equal(render("{{ payload.commits.1.author.email }}", push), "gitlabdev@dv6700.(none)");
  assert.equal(render("{{ payload.repository.homepage }}/-/commit/{{ payload.checkout_sha }}", push),
    "http://example.com/mike/diaspora/-/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
});

test("numbers and booleans are written as JSON does; missing, null and non-scalar values are empty", () => {
  assert.equal(render("{{ payload.total_commits_count }}", push), "4");
  assert.equal(render("{{ payload.project.visibility_level }}", push), "0");
  assert.equal(render("[{{ payload.flag }}|{{ payload.ratio }}]", { flag: false, ratio: 0.5 }), "[false|0.5]");
  assert.equal(render("[{{ payload.commits }}]", push), "[]", "an array is not one value");
  assert.equal(render("[{{ payload.project }}]", push), "[]", "an object is not one value");
  assert.equal(render("[{{ payload.no.such.field }}]", push), "[]");
  assert.equal(render("[{{ payload.commits.9.id }}]", push), "[]");
  assert.equal(render("[{{ payload.commits.first }}]", push), "[]", "an array has no named fields");
  assert.equal(render("[{{ payload.x }}]", { x: null }), "[]");
  assert.equal(render("[{{ payload.x.y }}]", { x: "text" }), "[]");
  assert.equal(render("[{{ payload.x }}]", null), "[]");
});

test("only the payload's own fields are read, never an object's prototype", () => {
  assert.equal(render("[{{ payload.constructor.name }}|{{ payload.toString }}|{{ payload.__proto__ }}]", {}), "[||]");
  assert.equal(render("{{ payload.0 }}", { "0": "zero" }), "zero", "an object may have digit keys");
});

test("values are verbatim: quotes, spaces, dollars and newlines pass through untouched", () => {
  assert.equal(render("{{ payload.m }}", { m: `a "b" $(rm -rf /) 'c'\nd` }), `a "b" $(rm -rf /) 'c'\nd`);
});
