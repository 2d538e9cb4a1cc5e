// The detail page's markup for what the journal will give once runs are followed and statuses
// posted (E1, E2): a run's state, a lost run's replacement, commit statuses and the forge's answer.
// The browser test (mount-ui.test.ts) covers what the journal gives today.

import assert from "node:assert/strict";
import { test } from "node:test";
import { renderDetailPage } from "../../src/ui/detail-page.ts";
import { dispatch, view, VIEW_NOW } from "./views.ts";

const NOW = VIEW_NOW;

test("a followed run shows its result and how long it took; a lost one links the run that replaced it", () => {
  const page = renderDetailPage(view([
    dispatch({ runState: { state: "success", at: NOW - 10_000, durationMs: 63_000 } }),
    dispatch({
      dispatchId: 2, job: "docs", run: { label: "docs:7" },
      runState: { state: "lost", at: NOW, reason: "lost in a laminard restart; queued again as docs:8", requeuedAs: { label: "docs:8", url: "https://ci.example.com/jobs/docs/8" } },
    }),
  ]), NOW);
  assert.match(page, /<span class="chip success">success in 1m 3s<\/span>/);
  assert.match(page, /<span class="chip lost">lost<\/span><\/span> → <a class="mono run" href="https:\/\/ci.example.com\/jobs\/docs\/8">docs:8<\/a>/);
  assert.match(page, /<p class="failure">lost in a laminard restart; queued again as docs:8<\/p>/);
  assert.match(page, /<section class="dispatch" id="dispatch-1">/);
});

test("commit statuses show what the forge shows and what it answered, escaped, and link only http(s)", () => {
  const page = renderDetailPage(view([dispatch({
    runState: { state: "failed", at: NOW, durationMs: 5_000 },
    statuses: [
      { context: "laminar/wiki", state: "pending", delivery: "posted", description: "Laminar run #42 started", targetUrl: "https://ci.example.com/jobs/wiki/42" },
      { context: "laminar/wiki", state: "failure", delivery: "refused", answer: "422 <b>No commit found</b>", targetUrl: "javascript:alert(1)" },
    ],
  })]), NOW);
  assert.match(page, /<section class="dispatch failed"/, "a failed run marks its job red");
  assert.match(page, /<h4>Commit statuses<\/h4>/);
  assert.match(page, /chip pending">pending<\/span> <span class="chip posted">posted<\/span> Laminar run #42 started/);
  assert.match(page, /<a href="https:\/\/ci.example.com\/jobs\/wiki\/42">link<\/a>/);
  assert.match(page, /<div class="error small">422 &lt;b&gt;No commit found&lt;\/b&gt;<\/div>/);
  assert.doesNotMatch(page, /javascript:/);
});

test("without run states or statuses the page says what the journal has: the dispatch's status", () => {
  const page = renderDetailPage(view([dispatch({})]), NOW);
  assert.match(page, /<a class="mono run" href="https:\/\/ci.example.com\/jobs\/wiki\/42">wiki:42<\/a> <span class="chip done">done<\/span>/);
  assert.doesNotMatch(page, /Commit statuses/);
});
