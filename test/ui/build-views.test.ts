// Journal records → the page's views: the same facts as `show`, matched jobs first, run links only
// with a base URL, and no header that may carry a secret.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { DeliveryDetail, DispatchDetail } from "../../src/journal/index.ts";
import { toDetailView, toRowView } from "../../src/ui/build-views.ts";

function dispatch(fields: Partial<DispatchDetail>): DispatchDetail {
  return {
    id: 3, job: "wiki", status: "done", run: "wiki:42", attempts: 1, lastError: null,
    params: { rev: "3f2c1a9d0b7e", branch: "master" }, host: "unix-abstract:laminar", reason: "GitHub push",
    nextAttemptAt: 0, createdAt: 0, updatedAt: 0,
    attemptLog: [{ id: 1, startedAt: 1_700_000_000_000, finishedAt: 0, durationMs: 18, exitCode: 2, signal: null, outcome: "retry", stdout: "", stderr: "connect(): Connection refused\n", message: "Laminar is not reachable" }],
    ...fields,
  };
}

function detail(dispatches: DispatchDetail[]): DeliveryDetail {
  return {
    id: 7, forge: "github", deliveryId: "abc", receivedAt: 1_700_000_000_000, forgeEvent: "pull_request", kind: "pull_request",
    action: "opened", repo: "sbrl/wiki", ref: "refs/pull/7/head", sender: "sbrl", status: "done", note: null, dispatchCount: dispatches.length,
    remoteAddress: null, payload: "{}",
    // An old journal, or a bug upstream, must still not put a signature on the page.
    headers: { "x-github-event": "pull_request", "x-hub-signature-256": "sha256=abc", "X-Gitlab-Token": "t", "x-forwarded-for": ["192.0.2.1", "127.0.0.1"] },
    trace: [{ job: "docs", matched: false, reason: "no" }, { job: "wiki", matched: true, reason: "yes" }, { job: "lint", matched: false, reason: "no" }],
    dispatches,
  };
}

test("the detail view: matched first, the command and attempt lines as show prints them, no secret header", () => {
  const view = toDetailView(detail([dispatch({})]), { baseUrl: "https://ci.example.com/" });
  assert.deepEqual(view.trace.map((line) => line.job), ["wiki", "docs", "lint"]);
  assert.deepEqual(view.headers, [["x-github-event", "pull_request"], ["x-forwarded-for", "192.0.2.1, 127.0.0.1"]]);
  assert.equal(view.event, "pull_request/opened");
  assert.equal(view.commit, "3f2c1a9d0b7e");
  const [job] = view.dispatches;
  assert.deepEqual(job?.run, { label: "wiki:42", url: "https://ci.example.com/jobs/wiki/42" });
  assert.equal(job?.command, `laminarc queue wiki "rev=3f2c1a9d0b7e" "branch=master"`);
  assert.equal(job?.attemptLog[0]?.summary, "attempt at 2023-11-14 22:13:20: retry, exit 2, 18 ms: Laminar is not reachable");
  assert.equal(job?.attemptLog[0]?.failed, true);
  assert.equal(job?.attemptLog[0]?.stderr, "connect(): Connection refused");
  assert.equal(job?.nextAttemptAt, undefined, "only a pending job waits for a next attempt");
});

test("without base_url a run is a label; a pending job that failed before says when it is tried again", () => {
  const view = toDetailView(detail([dispatch({ status: "pending", run: null, attempts: 2, lastError: "refused", nextAttemptAt: 5 })]), {});
  assert.equal(view.dispatches[0]?.run, undefined);
  assert.equal(view.dispatches[0]?.nextAttemptAt, 5);
  assert.equal(view.dispatches[0]?.lastError, "refused");
  const row = toRowView({ ...detail([]), jobs: [{ id: 1, job: "wiki", status: "done", run: "wiki:1", attempts: 1, lastError: null, rev: null }] }, {});
  assert.deepEqual(row.jobs[0]?.run, { label: "wiki:1" });
  assert.equal(row.commit, undefined);
});

test("runs, status posts and catch-up's mark reach the views in `show`'s words; the list keeps the latest post per context", () => {
  const runs = new Map([[3, [
    { id: 1, dispatchId: 3, job: "wiki", number: 42, state: "lost" as const, queuedAt: 1_700_000_000_000, startedAt: null, completedAt: 1_700_000_060_000, requeuedAs: "wiki:43", note: "lost in a laminard restart" },
    { id: 2, dispatchId: 3, job: "wiki", number: 43, state: "success" as const, queuedAt: 1_700_000_060_000, startedAt: 1_700_000_061_000, completedAt: 1_700_000_124_000, requeuedAs: null, note: null },
  ]]]);
  const post = (id: number, state: string, status: "posted" | "refused", answer: [number, string] | [null, null]) => ({
    id, dispatchId: 3, forge: "github" as const, repo: "sbrl/wiki", sha: "3f2c1a9d0b7e", context: "laminar/wiki", job: "wiki", runState: "success" as const,
    state, description: `run ${state}`, status, attempts: 1, nextAttemptAt: 0, answerStatus: answer[0], answerMessage: answer[1], createdAt: 0, updatedAt: id,
  });
  const statuses = [post(1, "pending", "posted", [201, ""]), post(2, "success", "refused", [422, "No commit found for SHA"])];
  const facts = { runs, statuses, redelivered: new Set(["abc"]) };
  const view = toDetailView(detail([dispatch({})]), { baseUrl: "https://ci.example.com" }, facts);
  assert.equal(view.foundBy, "redelivered");
  const [job] = view.dispatches;
  assert.deepEqual(job?.runs?.map((run) => [run.run.url, run.label, run.times, run.durationMs, run.note, run.requeuedAs?.url]), [
    ["https://ci.example.com/jobs/wiki/42", "lost → wiki:43", "queued 2023-11-14 22:13:20, lost 2023-11-14 22:14:20 UTC", undefined, "lost in a laminard restart", "https://ci.example.com/jobs/wiki/43"],
    ["https://ci.example.com/jobs/wiki/43", "success", "queued 2023-11-14 22:14:20, started 2023-11-14 22:14:21, completed 2023-11-14 22:15:24 UTC (1m 3s)", 63_000, undefined, undefined],
  ]);
  assert.deepEqual(job?.statuses?.map((status) => [status.state, status.delivery, status.answer]), [["pending", "posted", "201"], ["success", "refused", "422 No commit found for SHA"]]);
  const row = toRowView({ ...detail([]), deliveryId: "poll:7", jobs: [{ id: 3, job: "wiki", status: "done", run: "wiki:42", attempts: 1, lastError: null, rev: null }] }, {}, facts);
  assert.equal(row.foundBy, "poll");
  assert.deepEqual(row.jobs[0]?.statuses?.map((status) => status.state), ["success"], "the latest post per context");
});
