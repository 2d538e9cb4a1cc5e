// Views as build-views.ts makes them, for the page tests that render one by hand.

import type { DeliveryDetailView, DispatchView, RunStateView } from "../../src/ui/view-model.ts";

/** The clock the views are rendered at. */
export const VIEW_NOW = 1_700_000_100_000;
const NOW = VIEW_NOW;

export function dispatch(fields: Partial<DispatchView>): DispatchView {
  return {
    dispatchId: 1, job: "wiki", status: "done", attempts: 1,
    run: { label: "wiki:42", url: "https://ci.example.com/jobs/wiki/42" },
    command: `laminarc queue wiki "rev=3f2c1a9"`, reason: "GitHub push to sbrl/wiki master (3f2c1a9) by sbrl",
    attemptLog: [{ startedAt: NOW - 60_000, outcome: "queued", summary: "attempt at 2023-11-14 22:12:20: queued, exit 0, 18 ms", failed: false, stdout: "wiki:42", stderr: "" }],
    ...fields,
  };
}

export function view(dispatches: DispatchView[]): DeliveryDetailView {
  return {
    id: 7, receivedAt: NOW - 90_000, forge: "github", event: "push", repo: "sbrl/wiki", ref: "refs/heads/master",
    commit: "3f2c1a9d0b7e4c5a6f8e9d0c1b2a39485766aa01", status: "done", jobs: dispatches,
    deliveryId: "abc", forgeEvent: "push", headers: [["x-github-event", "push"]],
    trace: [{ job: "wiki", matched: true, reason: "branch \"master\" matches \"master\"" }], dispatches,
  };
}

/** A followed run, `wiki:42` queued a minute and a half before VIEW_NOW. */
export function run(fields: Partial<RunStateView>): RunStateView {
  return {
    run: { label: "wiki:42", url: "https://ci.example.com/jobs/wiki/42" }, state: "queued", label: "queued",
    times: "queued 2023-11-14 22:13:20 UTC",
    ...fields,
  };
}
