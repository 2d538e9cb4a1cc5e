// What identifies one laminarc attempt in Laminar: its LAMINAR_REASON. laminard announces every
// job_queued with the reason it was queued with and keeps it on the run's page, so an attempt
// whose outcome is unknown (killed at the timeout, its helper or the service died) can be looked
// for there before it is queued again (DESIGN.md guarantee 3). It is shown in Laminar's UI: short.

/** `GitHub push to sbrl/wiki master (3f2c1a9) by sbrl [dispatch 42, try 3]` */
export function attemptReason(reason: string, dispatchId: number, attempt: number): string {
  return `${reason} [dispatch ${dispatchId}, try ${attempt}]`;
}

/**
 * Whether `candidate` is the LAMINAR_REASON of any attempt of dispatch `dispatchId` queued with
 * `reason` (the dispatch's reason now: a run lost and queued again has a reason of its own).
 */
export function isAttemptReason(candidate: string, reason: string, dispatchId: number): boolean {
  const prefix = `${reason} [dispatch ${dispatchId}, try `;
  return candidate.startsWith(prefix) && /^\d+\]$/.test(candidate.slice(prefix.length));
}
