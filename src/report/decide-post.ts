import type { StatusPostOutcome } from "../journal/status-outbox.ts";
import { retryDelay } from "../backoff.ts";
import type { PostOutcome } from "../observe/metric-ports.ts";
import type { ForgeName, RetryPolicy } from "../types.ts";
import type { RateLimitHeaders, StatusAnswer } from "../forges/shared/api-answer.ts";

/** Everything the decision depends on, so it stays a pure function. */
export interface DecidePostInput {
  forge: ForgeName;
  answer: StatusAnswer;
  /** The attempt that just ended, the first being 1. */
  attempt: number;
  policy: RetryPolicy;
  now: number;
  random: () => number;
}

/** How the attempt ended, for the journal, the log and the metrics. */
export interface PostDecision extends StatusPostOutcome {
  outcome: PostOutcome;
  /** A rate limit: nothing more goes to this forge before then. */
  deferForgeUntil?: number;
}

/** A rate limit's wait is honoured, but not past this: a clock far off must not park the outbox for days. */
const MAX_RATE_LIMIT_WAIT_MS = 3_600_000;

/**
 * Where a status post goes after an attempt: 2xx → posted; network errors, timeouts, 5xx, 408, 409
 * and rate limits → again after a backoff, or after the wait the forge asked for (`retry-after`,
 * `x-ratelimit-reset`); any other 4xx → refused, with the forge's message, never retried. GitLab
 * answers 400 "Cannot transition status" when the commit already has that state: that is done.
 */
export function decidePost(input: DecidePostInput): PostDecision {
  const { answer, now } = input;
  if (answer.kind === "network") {
    if (answer.canceled) {
      return { outcome: "canceled", status: "pending", canceled: true, nextAttemptAt: now, answerStatus: null, answerMessage: answer.message };
    }
    return retry(input, null, answer.message);
  }
  const { status, message } = answer;
  if (status >= 200 && status < 300) return { outcome: "posted", status: "posted", answerStatus: status, answerMessage: message };
  if (input.forge === "gitlab" && status === 400 && /cannot transition status/i.test(message)) {
    return { outcome: "posted", status: "posted", answerStatus: status, answerMessage: `already in this state: ${message}` };
  }
  if (isRateLimit(status, answer.headers)) {
    const until = rateLimitEnd(answer.headers, now);
    if (until !== undefined) {
      const decision = retry(input, status, message, until);
      return decision.status === "pending" ? { ...decision, deferForgeUntil: until } : decision;
    }
    return retry(input, status, message);
  }
  if (status >= 500 || status === 408 || status === 409 || status === 429) return retry(input, status, message);
  return { outcome: "refused", status: "refused", answerStatus: status, answerMessage: message };
}

/**
 * GitHub sends x-ratelimit-* on every answer, so a 403 is a rate limit only with retry-after or
 * nothing remaining; a 403 otherwise is a refusal (no permission). A 429 always is one.
 */
function isRateLimit(status: number, headers: RateLimitHeaders): boolean {
  if (status === 429) return true;
  return status === 403 && (headers.retryAfter !== undefined || headers.rateLimitRemaining === "0");
}

/** When the forge said to try again: retry-after (seconds or an HTTP date), else x-ratelimit-reset (epoch seconds) plus one. */
function rateLimitEnd(headers: RateLimitHeaders, now: number): number | undefined {
  let until: number | undefined;
  if (headers.retryAfter !== undefined) {
    const seconds = Number(headers.retryAfter);
    const date = Date.parse(headers.retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) until = now + seconds * 1000;
    else if (Number.isFinite(date)) until = date;
  } else if (headers.rateLimitReset !== undefined) {
    const reset = Number(headers.rateLimitReset);
    // GitHub's advice: try again after the reset second, not at it.
    if (Number.isFinite(reset) && reset > 0) until = reset * 1000 + 1000;
  }
  if (until === undefined) return undefined;
  return Math.min(Math.max(until, now), now + MAX_RATE_LIMIT_WAIT_MS);
}

function retry(input: DecidePostInput, status: number | null, message: string, until?: number): PostDecision {
  if (input.attempt >= input.policy.attempts) {
    const attempts = input.attempt === 1 ? "1 attempt" : `${input.attempt} attempts`;
    return { outcome: "failed", status: "failed", answerStatus: status, answerMessage: `gave up after ${attempts}: ${message}` };
  }
  const nextAttemptAt = until ?? input.now + retryDelay(input.attempt, input.policy, input.random);
  return { outcome: "retry", status: "pending", nextAttemptAt, answerStatus: status, answerMessage: message };
}
