// Whether a dispatch's run can be aborted, and how. Laminar aborts only a running run
// (reference/laminarc.md: `laminarc abort` of a queued run does nothing), so a run not started yet
// is aborted the moment it starts: the button says so. Pure: the dispatch and its runs in.

import type { DispatchSummary, RunAbortRecord, RunRecord } from "../journal/index.ts";

export type AbortChoice =
  | { kind: "now"; job: string; number: number }
  | { kind: "on-start" }
  | { kind: "asked"; abort: RunAbortRecord }
  | { kind: "none" };

export function abortChoice(dispatch: DispatchSummary, runs: readonly RunRecord[], asked: RunAbortRecord | undefined): AbortChoice {
  if (asked !== undefined) return { kind: "asked", abort: asked };
  const last = runs.at(-1);
  if (last !== undefined) {
    if (last.state === "running") return { kind: "now", job: last.job, number: last.number };
    // A lost run is queued again: the next one is aborted when it starts.
    if (last.state === "queued" || last.state === "lost") return { kind: "on-start" };
    return { kind: "none" };
  }
  // Not queued in Laminar yet, or queued but not followed (no laminar.http): nothing says it started.
  if (dispatch.status === "pending" || dispatch.status === "running") return { kind: "on-start" };
  const number = dispatch.run === null ? undefined : Number(/:(\d+)$/.exec(dispatch.run)?.[1]);
  if (dispatch.status === "done" && number !== undefined && Number.isSafeInteger(number)) return { kind: "now", job: dispatch.job, number };
  return { kind: "none" };
}
