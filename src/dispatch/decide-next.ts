import type { NextState } from "../journal/journal-types.ts";
import type { AttemptOutcome, RetryPolicy } from "../types.ts";
import { retryDelay } from "../backoff.ts";

/** Everything the decision depends on, so it stays a pure function. */
export interface DecideNextInput {
  outcome: AttemptOutcome;
  /** The attempt that just ended, the first being 1. */
  attempt: number;
  /** The service stopped it (shutdown): it does not count and is due again at once. */
  canceled: boolean;
  policy: RetryPolicy;
  now: number;
  random: () => number;
}

/**
 * Where a dispatch goes after an attempt: queued → done; permanent → failed; retry → pending
 * after a backoff, or failed once `retry.attempts` attempts were made. Pure, so the rules are
 * tested without time or processes.
 */
export function decideNext(input: DecideNextInput): NextState {
  const { outcome } = input;
  switch (outcome.kind) {
    case "queued":
      return { status: "done" };
    case "permanent":
      return { status: "failed" };
    case "retry":
      if (input.canceled) return { status: "pending", nextAttemptAt: input.now, canceled: true };
      if (input.attempt >= input.policy.attempts) {
        const attempts = input.attempt === 1 ? "1 attempt" : `${input.attempt} attempts`;
        return { status: "failed", error: `gave up after ${attempts}: ${outcome.message}` };
      }
      return { status: "pending", nextAttemptAt: input.now + retryDelay(input.attempt, input.policy, input.random) };
  }
}
