// The template helper: every interpolation is escaped unless it is itself markup from `html`.

import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeHtml, html } from "../../src/ui/html.ts";

test("text and attribute values are escaped, markup from html is kept", () => {
  const branch = `<script>alert("x")</script>' onmouseover='y`;
  const inner = html`<b>${branch}</b>`;
  const out = html`<a title="${branch}">${inner}</a>`.toString();
  assert.equal(out,
    `<a title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;y">` +
    `<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;y</b></a>`);
});

test("nothing renders as nothing, numbers as text, arrays joined with each item escaped", () => {
  assert.equal(html`[${null}${undefined}${false}${0}${["<i>", html`<i>`, [1, "&"]]}]`.toString(), "[0&lt;i&gt;<i>1&amp;]");
});

test("an object that merely looks like markup is escaped", () => {
  const fake = { toString: () => "<img src=x>" } as unknown as string;
  assert.equal(html`${fake}`.toString(), "&lt;img src=x&gt;");
  assert.equal(escapeHtml("&amp;"), "&amp;amp;");
});
