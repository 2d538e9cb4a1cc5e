// The outbox's policy, row by row against reference/forges.md: what is retried, how long it
// waits, what is refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import { decidePost, type DecidePostInput } from "../../src/report/decide-post.ts";
import type { StatusAnswer } from "../../src/forges/shared/api-answer.ts";

const NOW = 1_700_000_000_000;
const policy = { attempts: 5, delayMs: 1000, maxDelayMs: 60_000 };
const input = (answer: StatusAnswer, fields: Partial<DecidePostInput> = {}): DecidePostInput =>
  ({ forge: "github", answer, attempt: 1, policy, now: NOW, random: () => 0, ...fields });
const http = (status: number, message = "", headers = {}): StatusAnswer => ({ kind: "http", status, message, headers });

test("2xx is posted", () => {
  assert.deepEqual(decidePost(input(http(201))), { outcome: "posted", status: "posted", answerStatus: 201, answerMessage: "" });
});

test("network errors, 5xx, 408, 409 and a 429 without headers are tried again after the backoff", () => {
  for (const answer of [{ kind: "network", message: "connect ECONNREFUSED", canceled: false } as const, http(500), http(502), http(503), http(408), http(409), http(429)]) {
    const decision = decidePost(input(answer, { attempt: 2 }));
    assert.equal(decision.outcome, "retry", JSON.stringify(answer));
    assert.equal(decision.status, "pending");
    // attempt 2: 2 s doubled once, equal jitter with random 0 → half of it.
    assert.equal(decision.nextAttemptAt, NOW + 1000);
  }
});

test("401, 404, 422, other 4xx and a 403 that is no rate limit are refused with the forge's message", () => {
  for (const status of [400, 401, 403, 404, 422]) {
    const decision = decidePost(input(http(status, "Resource not accessible by personal access token", { rateLimitRemaining: "4999", rateLimitReset: "1700003600" })));
    assert.deepEqual(decision, { outcome: "refused", status: "refused", answerStatus: status, answerMessage: "Resource not accessible by personal access token" });
  }
});

test("403 with retry-after waits exactly that long, and the whole forge waits", () => {
  const decision = decidePost(input(http(403, "You have exceeded a secondary rate limit", { retryAfter: "60" })));
  assert.equal(decision.outcome, "retry");
  assert.equal(decision.nextAttemptAt, NOW + 60_000);
  assert.equal(decision.deferForgeUntil, NOW + 60_000);
});

test("429 (or 403) with nothing remaining waits until one second after x-ratelimit-reset", () => {
  const reset = Math.floor(NOW / 1000) + 120;
  for (const status of [429, 403]) {
    const decision = decidePost(input(http(status, "API rate limit exceeded", { rateLimitRemaining: "0", rateLimitReset: String(reset) })));
    assert.equal(decision.nextAttemptAt, reset * 1000 + 1000);
    assert.equal(decision.deferForgeUntil, reset * 1000 + 1000);
  }
});

test("retry-after as an HTTP date; a wait longer than an hour is capped", () => {
  const date = new Date(NOW + 30_000).toUTCString();
  assert.equal(decidePost(input(http(429, "", { retryAfter: date }))).nextAttemptAt, NOW + 30_000);
  assert.equal(decidePost(input(http(429, "", { retryAfter: "86400" }))).nextAttemptAt, NOW + 3_600_000);
});

test("GitLab's 400 for a state the commit already has counts as posted; elsewhere a 400 is refused", () => {
  const answer = http(400, "Cannot transition status via :enqueue from :pending");
  const gitlab = decidePost(input(answer, { forge: "gitlab" }));
  assert.equal(gitlab.outcome, "posted");
  assert.match(gitlab.answerMessage ?? "", /already in this state/);
  assert.equal(decidePost(input(answer, { forge: "gitea" })).outcome, "refused");
});

test("after the last attempt a retryable failure gives up, saying why", () => {
  const decision = decidePost(input(http(502, "Bad Gateway"), { attempt: 5 }));
  assert.deepEqual(decision, { outcome: "failed", status: "failed", answerStatus: 502, answerMessage: "gave up after 5 attempts: Bad Gateway" });
});

test("a post cut short by the shutdown stays due at once and is not counted", () => {
  const decision = decidePost(input({ kind: "network", message: "cut short", canceled: true }, { attempt: 5 }));
  assert.equal(decision.outcome, "canceled");
  assert.equal(decision.canceled, true);
  assert.equal(decision.nextAttemptAt, NOW);
});
