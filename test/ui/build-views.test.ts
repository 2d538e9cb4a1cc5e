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
