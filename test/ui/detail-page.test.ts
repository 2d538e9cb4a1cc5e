// The detail page's markup for runs and statuses in shapes the browser test does not make: a lost
// run's replacement, a refused status with markup in its answer, a target URL that is not http(s).

import assert from "node:assert/strict";
import { test } from "node:test";
import { renderDetailPage } from "../../src/ui/detail-page.ts";
import { dispatch, run, view, VIEW_NOW } from "./views.ts";

const NOW = VIEW_NOW;

test("a followed run shows its result and how long it took; a lost one links the run that replaced it", () => {
  const page = renderDetailPage(view([
    dispatch({ runs: [run({ state: "success", label: "success", durationMs: 63_000 })] }),
    dispatch({
      dispatchId: 2, job: "docs", run: { label: "docs:7" },
      runs: [
        run({ run: { label: "docs:7" }, state: "lost", label: "lost → docs:8", note: "lost in a laminard restart <b>x</b>", requeuedAs: { label: "docs:8", url: "https://ci.example.com/jobs/docs/8" } }),
        run({ run: { label: "docs:8", url: "https://ci.example.com/jobs/docs/8" }, state: "running", label: "running" }),
      ],
    }),
  ]), NOW);
  assert.match(page, /<span class="chip success">success in 1m 3s<\/span>/);
  assert.match(page, /<span class="chip lost">lost<\/span> → <a class="mono run" href="https:\/\/ci.example.com\/jobs\/docs\/8">docs:8<\/a>/);
  assert.match(page, /<div class="error small note">lost in a laminard restart &lt;b&gt;x&lt;\/b&gt;<\/div>/);
  assert.match(page, /<span class="muted small">queued 2023-11-14 22:13:20 UTC<\/span>/);
  assert.match(page, /<section class="dispatch" id="dispatch-1">/);
});

test("commit statuses show what the forge shows and what it answered, escaped, and link only http(s)", () => {
  const page = renderDetailPage(view([dispatch({
    runs: [run({ state: "failed", label: "failed", durationMs: 5_000 })],
    statuses: [
      { context: "laminar/wiki", state: "pending", delivery: "posted", description: "Laminar run #42 started", targetUrl: "https://ci.example.com/jobs/wiki/42" },
      { context: "laminar/wiki", state: "failure", delivery: "refused", progress: " after 2 attempts", answer: "422 <b>No commit found</b>", targetUrl: "javascript:alert(1)" },
    ],
  })]), NOW);
  assert.match(page, /<section class="dispatch failed"/, "a failed run marks its job red");
  assert.match(page, /<h4>Commit statuses<\/h4>/);
  assert.match(page, /chip pending">pending<\/span> <span class="chip posted">posted<\/span> Laminar run #42 started/);
  assert.match(page, /<a href="https:\/\/ci.example.com\/jobs\/wiki\/42">link<\/a>/);
  assert.match(page, /<tr class="refused">/);
  assert.match(page, /<span class="chip refused">refused<\/span> <span class="muted small">after 2 attempts<\/span>/);
  assert.match(page, /<div class="error small answer">422 &lt;b&gt;No commit found&lt;\/b&gt;<\/div>/);
  assert.doesNotMatch(page, /javascript:/);
});

test("without run states or statuses the page says what the journal has: the dispatch's status", () => {
  const page = renderDetailPage(view([dispatch({})]), NOW);
  assert.match(page, /<a class="mono run" href="https:\/\/ci.example.com\/jobs\/wiki\/42">wiki:42<\/a> <span class="chip done">done<\/span>/);
  assert.doesNotMatch(page, /Commit statuses/);
});
