// Writing what the follower learned to the journal's runs: each helper puts one pure decision of
// follow-settle.ts into one RunJournal transaction, whose listeners are told inside it.

import type { AttemptToRecord } from "../journal/index.ts";
import type { RunJournal } from "../journal/runs.ts";
import type { RunFacts } from "./follow-events.ts";
import { advanceTo, decideLost, type LostCause } from "./follow-settle.ts";
import type { RunStateChange } from "../journal/run-state.ts";

/**
 * Inside the transaction of each laminarc attempt: a queued run is recorded (when `follow`, and
 * the job runs on laminar.host's Laminar) and told as "queued"; a dispatch that failed for good is
 * told as "error". Returns the run recorded, to be followed once the transaction commits.
 */
export function recordAttemptRun(
  runs: RunJournal,
  emit: (change: RunStateChange) => void,
  attempt: AttemptToRecord & { at: number },
  follow: boolean,
): { job: string; number: number } | undefined {
  const { outcome } = attempt.result;
  if (outcome.kind === "queued") {
    const separator = outcome.run.lastIndexOf(":");
    const job = outcome.run.slice(0, separator);
    const number = Number(outcome.run.slice(separator + 1));
    // A job with its own `host:` runs on another Laminar, whose runs laminar.http cannot see.
    const followed = follow && runs.dispatchOf(attempt.dispatchId)?.host === "";
    if (followed) runs.recordQueued(attempt.dispatchId, job, number, attempt.at);
    emit({ dispatchId: attempt.dispatchId, job, runNumber: number, state: "queued", at: attempt.at });
    return followed ? { job, number } : undefined;
  }
  if (attempt.next.status === "failed") {
    const job = runs.dispatchOf(attempt.dispatchId)?.job ?? "";
    emit({ dispatchId: attempt.dispatchId, job, state: "error", at: attempt.at, reason: attempt.next.error ?? outcome.message });
  }
  return undefined;
}

/** Records what laminard said of a followed run if it moves it forward: the change, or undefined. */
export function recordFacts(runs: RunJournal, id: number, current: string, facts: RunFacts): RunStateChange | undefined {
  if (current !== "queued" && current !== "running") return undefined;
  const state = advanceTo(current, facts.state);
  if (state === undefined || state === "queued") return undefined;
  return runs.advance(id, {
    state,
    ...(facts.startedAt === undefined ? {} : { startedAt: facts.startedAt }),
    ...(facts.completedAt === undefined ? {} : { completedAt: facts.completedAt }),
  });
}

/**
 * Marks a followed run lost (or aborted by a restart: `cause`) and queues its dispatch again, or
 * fails it past `limit` (laminar.requeue_lost, one budget for both causes).
 */
export function recordLost(runs: RunJournal, id: number, why: string, limit: number, cause: LostCause = "lost"): RunStateChange[] {
  const record = runs.get(id);
  if (record === undefined || (record.state !== "queued" && record.state !== "running")) return [];
  const decision = decideLost({
    run: `${record.job}:${record.number}`,
    why,
    lostBefore: runs.lostCount(record.dispatchId),
    limit,
    reason: runs.dispatchOf(record.dispatchId)?.reason ?? "",
    cause,
  });
  return runs.markLost(id, decision);
}
