// The list's markup for states the browser test cannot reach with today's journal: a followed run's
// state, the "nothing yet" advice, filters that match nothing, and paging links.

import assert from "node:assert/strict";
import { test } from "node:test";
import { renderListPage } from "../../src/ui/list-page.ts";
import { dispatch, run, view, VIEW_NOW as NOW } from "./views.ts";

test("the list shows a run's followed state in place of the dispatch's", () => {
  const row = view([dispatch({ runs: [run({ state: "running", label: "running" })] })]);
  const page = renderListPage({ rows: [row], filter: { limit: 50 }, repos: ["sbrl/wiki"], empty: false, sendHint: "", now: NOW });
  assert.match(page, /wiki:42<\/a> <span class="chip running">running<\/span><\/li>/);
  assert.match(page, /<span class="muted">1 min ago<\/span>/);
  const polled = renderListPage({ rows: [{ ...row, foundBy: "poll" }], filter: { limit: 50 }, repos: [], empty: false, sendHint: "", now: NOW });
  assert.match(polled, /<td class="nowrap" data-label="Event">push <span class="chip poll">poll<\/span><\/td>/, "catch-up's finds are marked");
});

test("an empty journal gives the send command; filters matching nothing say so; cursors become links", () => {
  const empty = renderListPage({ rows: [], filter: { limit: 50 }, repos: [], empty: true, sendHint: "laminar-hooks send --url 'x<y'", now: NOW });
  assert.match(empty, /<h2>Nothing yet<\/h2>/);
  assert.match(empty, /<pre><code>laminar-hooks send --url &#39;x&lt;y&#39;<\/code><\/pre>/);
  assert.doesNotMatch(empty, /<form/);

  const none = renderListPage({
    rows: [], filter: { limit: 10, status: "failed", repo: "gone/repo" }, repos: ["a/b"], empty: false, sendHint: "", now: NOW,
    older: { receivedAt: 5, id: 2 }, newer: { receivedAt: 9, id: 4 },
  });
  assert.match(none, /No delivery matches these filters/);
  assert.match(none, /<option value="gone\/repo" selected>gone\/repo<\/option>/, "the form says which repository is shown");
  assert.match(none, /<option value="failed" selected>failed<\/option>/);
  assert.match(none, /<input type="hidden" name="limit" value="10">/);
  assert.match(none, /<a href="\.\/\?status=failed&amp;repo=gone%2Frepo&amp;limit=10&amp;before=5-2">older ›<\/a>/);
  assert.match(none, /<a href="\.\/\?status=failed&amp;repo=gone%2Frepo&amp;limit=10&amp;after=9-4">‹ newer<\/a>/);
});
