// A pure retry policy shared by the stages that retry: dispatch (laminarc), following runs
// (laminard's event stream) and reporting (forge APIs). At the top of src/ so that all may import it.

import type { RetryPolicy } from "./types.ts";

/**
 * How long to wait after failed attempt number `attempt` (the first is 1): `delay` doubled per
 * attempt, capped at `max_delay`, with "equal jitter": the wait is between half and all of that.
 * Jitter spreads the retries of the many dispatches that fail together when laminard goes down;
 * keeping half of the delay fixed (rather than full jitter's 0…delay) guarantees that a stopped
 * laminard is not hammered and that the wait really grows, which the config's `delay` promises.
 */
export function retryDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const n = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  const exponential = policy.delayMs * 2 ** Math.min(n - 1, 1023);
  const ceiling = Math.max(0, Math.min(policy.maxDelayMs, exponential));
  const half = ceiling / 2;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(half + r * half);
}
