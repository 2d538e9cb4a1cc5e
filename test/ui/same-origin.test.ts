import assert from "node:assert/strict";
import { test } from "node:test";
import { crossOriginRefusal } from "../../src/ui/same-origin.ts";

const OWN = "http://127.0.0.1:9090";

test("the page's own post acts: same-origin, with its Origin or Chromium's null under no-referrer", () => {
  assert.equal(crossOriginRefusal({ secFetchSite: "same-origin", origin: OWN }, OWN), undefined);
  assert.equal(crossOriginRefusal({ secFetchSite: "same-origin", origin: "null" }, OWN), undefined);
  assert.equal(crossOriginRefusal({ secFetchSite: "same-origin", origin: "" }, OWN), undefined);
});

test("another port of the same host is same-site, not same-origin: refused", () => {
  assert.match(crossOriginRefusal({ secFetchSite: "same-site", origin: "http://127.0.0.1:8081" }, OWN) ?? "", /Sec-Fetch-Site: same-site/);
  assert.match(crossOriginRefusal({ secFetchSite: "cross-site", origin: "https://evil.example" }, OWN) ?? "", /another origin/);
  assert.match(crossOriginRefusal({ secFetchSite: "none", origin: "" }, OWN) ?? "", /Sec-Fetch-Site: none/);
});

test("a same-origin claim with another Origin is refused", () => {
  assert.match(crossOriginRefusal({ secFetchSite: "same-origin", origin: "http://127.0.0.1:8081" }, OWN) ?? "", /from http:\/\/127\.0\.0\.1:8081/);
});

test("without Sec-Fetch-Site (plain HTTP to a host that is not loopback), only this exact Origin acts", () => {
  assert.equal(crossOriginRefusal({ secFetchSite: "", origin: OWN }, OWN), undefined);
  assert.match(crossOriginRefusal({ secFetchSite: "", origin: "null" }, OWN) ?? "", /did not say/);
  assert.match(crossOriginRefusal({ secFetchSite: "", origin: "" }, OWN) ?? "", /did not say/);
  assert.match(crossOriginRefusal({ secFetchSite: "", origin: "http://127.0.0.1:8081" }, OWN) ?? "", /cannot act/);
});
