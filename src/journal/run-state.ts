// The interface between following runs (src/laminar/follow-*) and reporting them (src/report); it sits in
// the journal because the journal records each change and tells it, and both stages build on the journal:
// each change of a dispatch's run, told inside the journal transaction that records it.

export type RunState = "queued" | "running" | "success" | "failed" | "aborted" | "lost" | "error";
/** One change of a dispatch's run, told synchronously INSIDE the SQLite transaction that records it, so that a
 *  listener's own writes (the status outbox) commit or roll back with it. */
export interface RunStateChange {
  dispatchId: number;      // dispatches.id
  job: string;
  runNumber?: number;      // N of job:N; absent for "error" (never queued)
  state: RunState;
  at: number;              // ms since the epoch
  /** Milliseconds the run took, for "success" | "failed" | "aborted". */
  durationMs?: number;
  /** Why: laminarc's message for "error", "lost in a laminard restart; queued again as job:43" for "lost". */
  reason?: string;
}
export type RunStateListener = (change: RunStateChange) => void;
