// When catch-up runs: pure functions of the config and the clock, so the policy is tested alone.

/** The longest a moved head is left to its webhook before a poll builds it. */
export const MAX_GRACE_MS = 10_000;

/**
 * The grace for webhooks: 10 s, which covers a forge's delivery (GitHub answers within 10 s or
 * gives up), but at most a quarter of the interval, so that a push with no webhook is built by the
 * first pass after it, in at most 1.25 intervals.
 */
export function graceFor(intervalMs: number): number {
  if (intervalMs <= 0) return MAX_GRACE_MS;
  return Math.min(MAX_GRACE_MS, Math.floor(intervalMs / 4));
}

/**
 * How long to wait before the next pass: one interval from the start of the last, at once when
 * that has passed (a pass never overlaps the one before: it is scheduled when that one ends).
 * undefined: catch-up is off (`interval: 0`).
 */
export function nextPassDelay(intervalMs: number, lastStartedAt: number | undefined, now: number): number | undefined {
  if (intervalMs <= 0) return undefined;
  if (lastStartedAt === undefined) return 0;
  return Math.max(0, lastStartedAt + intervalMs - now);
}
