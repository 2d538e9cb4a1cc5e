// The poster with the real clients against the fake forge APIs and a real SQLite journal; the
// status listener is driven inside real transactions, as the dispatcher and the follower do.
import assert from "node:assert/strict";
import { test } from "node:test";
import { StatusOutbox } from "../../src/journal/status-outbox.ts";
import type { RunStateChange } from "../../src/journal/run-state.ts";
import { createStatusListener } from "../../src/report/status-listener.ts";
import { StatusPoster, type PostEvent } from "../../src/report/status-poster.ts";
import type { Config, ForgeName } from "../../src/types.ts";
import { failures, type FakeForgeApi } from "../fixtures/fake-forge-api.ts";
import { startFakeGitHubApi } from "../fixtures/fake-github-api.ts";
import { startFakeGiteaApi } from "../fixtures/fake-gitea-api.ts";
import { startFakeGitLabApi } from "../fixtures/fake-gitlab-api.ts";
import { configFrom, forgeConfig, journalDelivery, postEvents, recordChange, SHA, tempJournal, type Context } from "./report-kit.ts";

const TOKEN = "forge-token-0123456789abcdef";
const FAST_RETRY = { attempts: 5, delayMs: 50, maxDelayMs: 200 };

async function setup<F extends FakeForgeApi>(t: Context, forge: ForgeName, start: (o: { token: string }) => Promise<F>, options: { timeoutMs?: number } = {}) {
  const api = await start({ token: TOKEN });
  t.after(() => api.close());
  let config: Config = configFrom(forgeConfig(forge, api.url), { FORGE_TOKEN: TOKEN });
  const journal = tempJournal(t).open();
  const outbox = journal.statusOutbox;
  const posts = postEvents<PostEvent>();
  const poster = new StatusPoster({
    outbox,
    getConfig: () => config,
    retry: FAST_RETRY,
    timeoutMs: options.timeoutMs ?? 30_000,
    onPost: posts.onPost,
  });
  t.after(() => poster.stop());
  const listener = createStatusListener({ outbox, getConfig: () => config, onEnqueued: () => poster.kick() });
  const { dispatchId, deliveryId } = await journalDelivery(journal, forge);
  const change = (fields: Partial<RunStateChange> & Pick<RunStateChange, "state">, dispatch = dispatchId) =>
    recordChange(journal, listener, { dispatchId: dispatch, runNumber: 42, ...fields });
  poster.start();
  return {
    api, journal, outbox, poster, posts, change, deliveryId, dispatchId,
    setConfig: (next: Config) => { config = next; },
    /** The state of every post of the delivery, in the order they were made. */
    states: () => outbox.postsOfDelivery(deliveryId).map((post) => `${post.state}:${post.status}`),
  };
}

const outcome = (state: string, result: PostEvent["decision"]["outcome"]) => (event: PostEvent) => event.post.state === state && event.decision.outcome === result;

test("GitHub: pending when queued, then success with the run's link, in order", async (t) => {
  const s = await setup(t, "github", startFakeGitHubApi);
  s.change({ state: "queued" });
  await s.posts.waitFor(outcome("pending", "posted"), "pending posted");
  s.change({ state: "success", durationMs: 63_000 });
  await s.posts.waitFor(outcome("success", "posted"), "success posted");
  assert.deepEqual(s.api.problems, []);
  assert.deepEqual((s.api as Awaited<ReturnType<typeof startFakeGitHubApi>>).statuses.map((st) => [st.state, st.context, st.description, st.target_url]), [
    ["pending", "laminar/wiki", "Laminar run #42 is queued", "https://ci.example.com/jobs/wiki/42"],
    ["success", "laminar/wiki", "Laminar run #42 passed in 1m 3s", "https://ci.example.com/jobs/wiki/42"],
  ]);
  const records = s.outbox.postsOfDelivery(s.deliveryId);
  assert.deepEqual(records.map((r) => [r.state, r.status, r.answerStatus, r.attempts]), [["pending", "posted", 201, 1], ["success", "posted", 201, 1]]);
});

test("the first post fails twice: it is retried, and the later state never goes before it", async (t) => {
  const s = await setup(t, "gitea", startFakeGiteaApi);
  s.api.script(failures.serverError(), failures.serverError());
  s.change({ state: "queued" });
  await s.posts.waitFor(outcome("pending", "posted"), "pending posted after two failures");
  s.change({ state: "success", durationMs: 1000 });
  await s.posts.waitFor(outcome("success", "posted"), "success posted");
  assert.deepEqual(s.api.requests.map((r) => [(r.body as { state: string }).state, r.answer]), [
    ["pending", 502], ["pending", 502], ["pending", 201], ["success", 201],
  ]);
  assert.deepEqual(s.api.problems, []);
});

test("a later state waits while the earlier one hangs, then replaces it: never out of order", async (t) => {
  const s = await setup(t, "gitea", startFakeGiteaApi, { timeoutMs: 500 });
  s.api.script(failures.hang());
  s.change({ state: "queued" });
  await s.api.waitForRequests(1);
  s.change({ state: "running" });
  s.change({ state: "success", durationMs: 2000 });
  await s.posts.waitFor(outcome("success", "posted"), "success posted");
  // The hung pending timed out (a retry), then only the newest state went: skipping is fine, reordering is not.
  // (On a busy machine the success may time out once too; it is then sent again, still after.)
  assert.equal(s.posts.events[0]?.decision.outcome, "retry");
  assert.equal(s.posts.events[0]?.post.state, "pending");
  assert.deepEqual(s.posts.events.filter((e) => e.decision.outcome === "posted").map((e) => e.post.state), ["success"]);
  const sent = s.api.requests.map((r) => (r.body as { state: string }).state);
  assert.equal(sent[0], "pending");
  assert.ok(sent.slice(1).every((state) => state === "success"), `sent in order: ${sent.join(", ")}`);
  assert.deepEqual(s.states(), ["pending:skipped", "pending:skipped", "success:posted"]);
  assert.match(s.outbox.postsOfDelivery(s.deliveryId)[0]?.answerMessage ?? "", /newer state/);
});

test("a hanging API does not hold back another commit's or context's post", async (t) => {
  const s = await setup(t, "gitea", startFakeGiteaApi, { timeoutMs: 10_000 });
  s.api.script(failures.hang());
  s.change({ state: "queued" });
  await s.api.waitForRequests(1);
  const other = await journalDelivery(s.journal, "gitea", { rev: "0123456789abcdef0123456789abcdef01234567" });
  s.change({ state: "queued", runNumber: 43 }, other.dispatchId);
  const posted = await s.posts.waitFor(outcome("pending", "posted"), "the other commit's post");
  assert.equal(posted.post.sha, "0123456789abcdef0123456789abcdef01234567");
  // …while the first is still unanswered.
  assert.ok(!s.posts.events.some((event) => event.post.sha === SHA));
  assert.equal(s.api.requests[0]?.answer, "hang");
});

test("409 and 5xx are retried with backoff until posted", async (t) => {
  const s = await setup(t, "gitlab", startFakeGitLabApi);
  s.api.script(failures.conflict(), failures.serverError());
  s.change({ state: "queued" });
  await s.posts.waitFor(outcome("pending", "posted"), "pending posted");
  assert.deepEqual(s.api.requests.map((r) => r.answer), [409, 502, 201]);
  const [record] = s.outbox.postsOfDelivery(s.deliveryId);
  assert.equal(record?.attempts, 3);
});

test("403 with retry-after: the next try waits that long", async (t) => {
  const s = await setup(t, "gitea", startFakeGiteaApi);
  s.api.script(failures.retryAfter403(1));
  s.change({ state: "queued" });
  const limited = await s.posts.waitFor(outcome("pending", "retry"), "the rate-limited answer");
  await s.posts.waitFor(outcome("pending", "posted"), "pending posted");
  const [first, second] = s.api.requests;
  assert.ok(second !== undefined && first !== undefined && second.at - first.at >= 1000, "the second try waited for retry-after");
  assert.ok((limited.decision.nextAttemptAt ?? 0) - first.at >= 1000);
  assert.equal(limited.decision.answerStatus, 403);
  assert.equal(limited.decision.deferForgeUntil, limited.decision.nextAttemptAt);
});

test("429 with x-ratelimit-reset: the next try waits until one second after the reset", async (t) => {
  const s = await setup(t, "github", startFakeGitHubApi);
  // A reset still ahead when the poster decides, however slow the machine: the wait is then exact.
  const reset = Math.floor(Date.now() / 1000) + 3;
  s.api.script(failures.rateLimited429(reset));
  s.change({ state: "queued" });
  const limited = await s.posts.waitFor(outcome("pending", "retry"), "the rate-limited answer");
  assert.equal(limited.decision.nextAttemptAt, reset * 1000 + 1000);
  await s.posts.waitFor(outcome("pending", "posted"), "pending posted");
  assert.ok((s.api.requests[1]?.at ?? 0) >= reset * 1000 + 1000, "the second try came after the reset");
});

test("422 is refused with the forge's message and never tried again", async (t) => {
  const s = await setup(t, "github", startFakeGitHubApi);
  s.api.script(failures.unprocessable("No commit found for SHA: 3f2c1a9d"));
  s.change({ state: "queued" });
  await s.posts.waitFor(outcome("pending", "refused"), "the refusal");
  s.change({ state: "success", durationMs: 1000 });
  await s.posts.waitFor(outcome("success", "posted"), "the next state");
  assert.equal(s.api.requests.length, 2);
  const [refused] = s.outbox.postsOfDelivery(s.deliveryId);
  assert.deepEqual([refused?.status, refused?.answerStatus, refused?.answerMessage], ["refused", 422, "No commit found for SHA: 3f2c1a9d"]);
});

test("GitLab: running when it starts; a lost run's pending after running is 400, which counts as done", async (t) => {
  const s = await setup(t, "gitlab", startFakeGitLabApi);
  s.change({ state: "queued" });
  await s.posts.waitFor(outcome("pending", "posted"), "pending");
  s.change({ state: "running" });
  await s.posts.waitFor(outcome("running", "posted"), "running");
  s.change({ state: "lost", reason: "lost in a laminard restart; queued again as job:43" });
  const lost = await s.posts.waitFor((e) => e.post.runState === "lost", "the lost run's post");
  assert.equal(lost.decision.outcome, "posted");
  assert.equal(lost.decision.answerStatus, 400);
  assert.match(lost.decision.answerMessage ?? "", /Cannot transition status via :enqueue from :running/);
  s.change({ state: "aborted", durationMs: 5000, runNumber: 43 });
  await s.posts.waitFor(outcome("canceled", "posted"), "canceled");
  assert.deepEqual(s.api.requests.map((r) => r.answer), [201, 201, 400, 201]);
  assert.deepEqual(s.api.problems, []);
});

test("a token removed from the config before sending: refused, saying so, and nothing sent", async (t) => {
  const s = await setup(t, "gitea", startFakeGiteaApi);
  s.change({ state: "queued" });
  // In the same turn: the poster's kick runs after it, so it sends under the reloaded config.
  s.setConfig(configFrom(forgeConfig("gitea", s.api.url, "    status: false\n"), { FORGE_TOKEN: TOKEN }));
  const refused = await s.posts.waitFor(outcome("pending", "refused"), "the refusal");
  assert.match(refused.decision.answerMessage ?? "", /status: false/);
  assert.equal(s.api.requests.length, 0);
});
