// The decisions of following runs, as pure functions of what laminard said: where a followed run
// stands after a (re)connect, whether it was lost, and what to do with a lost run. The rules are
// those of reference/laminard-http.md "Restarts", with the races it leaves open closed here.

import type { HomeSnapshot, LaminarRunState, RunFacts, RunSnapshot } from "./follow-events.ts";

/** A run the journal still follows (its last known state is queued or running). */
export interface FollowedRun {
  job: string;
  number: number;
  state: "queued" | "running";
}

/** What to do about one followed run. */
type Verdict =
  /** laminard knows where it is: record that (only ever forward). */
  | { kind: "advance"; facts: RunFacts }
  /** The home snapshot does not name it: ask the run's own snapshot. */
  | { kind: "fetch" }
  /**
   * laminard lost it (a restart), or aborted it because it stopped (`cause: "aborted"`): mark it
   * lost and decide about queueing it again.
   */
  | { kind: "lost"; why: string; cause: LostCause }
  /** Cannot tell yet: it may have been queued after the home snapshot was made; ask a later one. */
  | { kind: "wait" };

/** Why a followed run is queued again: laminard forgot it, or aborted it as it stopped. */
export type LostCause = "lost" | "aborted";

/**
 * Step 1: the home snapshot (`/`) names the runs laminard holds queued or running, and the last
 * completed ones. `abortUnseen`: no event of this connection told of these runs (they were
 * followed while the stream was down, or were just adopted), so an abort found here was laminard's
 * (see abortedByRestart).
 */
export function settleFromHome(run: FollowedRun, home: HomeSnapshot, abortUnseen = false): Verdict {
  const facts = home.runs.find((candidate) => candidate.job === run.job && candidate.number === run.number);
  if (facts === undefined) return { kind: "fetch" };
  return abortUnseen && facts.state === "aborted" ? abortedByRestart(run) : { kind: "advance", facts };
}

/**
 * A run found `aborted` with no event of the current connection having told of its abort (it was
 * not finished when the stream dropped, or laminard aborted it before its unanswered call was
 * found): laminard aborts running jobs when it is stopped (SIGTERM, reference/laminard-http.md
 * "Restarts"), and its stream ends at that moment. A person's `laminarc abort` while the stream is
 * up arrives as a live job_completed instead, and is only reported.
 */
export function abortedByRestart(run: Pick<FollowedRun, "job" | "number">): Extract<Verdict, { kind: "lost" }> {
  const name = `${run.job}:${run.number}`;
  return { kind: "lost", cause: "aborted", why: `${name} was aborted by a laminard restart: it was running when laminard stopped` };
}

/**
 * Step 2, for a run the home snapshot does not name: its own snapshot (`/jobs/JOB/N`), fetched
 * after the home one. A result there is its result. Otherwise laminard no longer holds it: a lost
 * run says `"result":"queued","started":0` (or `running`, after a SIGKILL) forever.
 *
 * One race remains: a run recorded before the stream's first frame arrived may have been queued
 * after laminard made that frame, and so be missing from it while alive (its events are on their
 * way). `homeAfterRecord` says the home snapshot was asked for after the run was recorded, which
 * rules that out; otherwise a run queued before the snapshot's time (laminard's own clock, whole
 * seconds) is lost, and one queued in the same second or later waits for a later snapshot.
 */
export function settleFromRun(run: FollowedRun, home: HomeSnapshot, snapshot: RunSnapshot, homeAfterRecord: boolean, abortUnseen = false): Verdict {
  const name = `${run.job}:${run.number}`;
  switch (snapshot.kind) {
    case "unknown-job":
      return { kind: "lost", cause: "lost", why: `laminard no longer knows job ${run.job}, so ${name} will never run` };
    case "unknown-run":
      return { kind: "lost", cause: "lost", why: `laminard has no run ${name} (its latest is ${snapshot.latestNumber ?? "unknown"})` };
    case "run": {
      if (isResult(snapshot.state)) {
        if (abortUnseen && snapshot.state === "aborted") return abortedByRestart(run);
        const { kind: _kind, reason: _reason, latestNumber: _latest, ...facts } = snapshot;
        return { kind: "advance", facts: { job: run.job, number: run.number, ...facts } };
      }
      const definite = homeAfterRecord || (snapshot.queuedAt !== undefined && snapshot.queuedAt < home.time);
      if (!definite) return { kind: "wait" };
      return {
        kind: "lost",
        cause: "lost",
        why: snapshot.state === "running"
          ? `${name} was lost in a laminard restart: it was running and never completed (laminard was killed)`
          : `${name} was lost in a laminard restart: laminard's queue no longer holds it`,
      };
    }
  }
}

/** Where a run goes when laminard says `next`: forward only (queued → running → a result), else nowhere. */
export function advanceTo(current: "queued" | "running", next: LaminarRunState): LaminarRunState | undefined {
  return rank(next) > rank(current) ? next : undefined;
}

/** Two reports about one run as one: the furthest state, and every time either gave. */
export function mergeFacts(previous: RunFacts | undefined, next: RunFacts): RunFacts {
  if (previous === undefined) return next;
  const [later, earlier] = rank(next.state) >= rank(previous.state) ? [next, previous] : [previous, next];
  const merged: RunFacts = { ...earlier, ...later };
  for (const key of ["queuedAt", "startedAt", "completedAt"] as const) {
    const value = later[key] ?? earlier[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

function isResult(state: LaminarRunState): state is "success" | "failed" | "aborted" {
  return state === "success" || state === "failed" || state === "aborted";
}

/** What to do with a lost run's dispatch. */
type LostDecision =
  /** Queue it again as a new run, with this LAMINAR_REASON. */
  | { kind: "requeue"; reason: string; note: string }
  /** `requeue_lost` is used up: the dispatch fails with this message. */
  | { kind: "give-up"; note: string; error: string };

interface LostInput {
  /** `job:42` */
  run: string;
  why: string;
  /** Runs of the same dispatch lost before this one. */
  lostBefore: number;
  /** `laminar.requeue_lost` */
  limit: number;
  /** The LAMINAR_REASON the lost run was queued with. */
  reason: string;
  /** Lost (forgotten by laminard), or aborted because laminard stopped; default: lost. */
  cause?: LostCause;
}

const REQUEUE_NOTE = / \(re-queued: \S+ was (?:lost in|aborted by) a laminard restart, \d+ of \d+\)$/;

/**
 * A run lost (or aborted) in a laminard restart is queued again at most `limit` times per
 * dispatch, both causes counting against the one budget; the reason says so, once.
 */
export function decideLost(input: LostInput): LostDecision {
  const count = input.lostBefore + 1;
  const what = input.cause === "aborted" ? "was aborted by a laminard restart" : "was lost in a laminard restart";
  if (count <= input.limit) {
    const base = input.reason.replace(REQUEUE_NOTE, "");
    return {
      kind: "requeue",
      reason: `${base} (re-queued: ${input.run} ${what}, ${count} of ${input.limit})`,
      note: `${input.why}; queued again (${count} of ${input.limit})`,
    };
  }
  const times = input.limit === 1 ? "once" : `${input.limit} times`;
  const error = input.limit === 0
    ? `${input.run} ${what} and laminar.requeue_lost is 0: not queued again. Queue it with laminar-hooks redeliver --failed`
    : `${input.run} ${what} after being queued again ${times} (laminar.requeue_lost: ${input.limit}): not queued again. Queue it with laminar-hooks redeliver --failed`;
  return { kind: "give-up", note: `${input.why}; not queued again`, error };
}

function rank(state: LaminarRunState): number {
  return state === "queued" ? 0 : state === "running" ? 1 : 2;
}
