// The GitHub client through octokit against the fake GitHub API, whose checks come from GitHub's
// OpenAPI description: what is sent, and how each answer comes back.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Secret } from "../../../src/config/secret.ts";
import { githubClient } from "../../../src/forges/github/status-client.ts";
import type { StatusRequest } from "../../../src/forges/shared/status-request.ts";
import { failures } from "../../fixtures/fake-forge-api.ts";
import { startFakeGitHubApi, type FakeGitHubApi } from "../../fixtures/fake-github-api.ts";
import { closedPort, SHA, type Context } from "../../report/report-kit.ts";

const TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";

async function fake(t: Context): Promise<FakeGitHubApi> {
  const api = await startFakeGitHubApi({ token: TOKEN });
  t.after(() => api.close());
  return api;
}

const request = (api: string, fields: Partial<StatusRequest> = {}): StatusRequest => ({
  target: { api, token: new Secret(TOKEN, "env GITHUB_TOKEN") },
  repo: "sbrl/wiki",
  sha: SHA,
  state: "success",
  context: "laminar/wiki",
  description: "Laminar run #42 passed in 1m 3s",
  targetUrl: "https://ci.example.com/jobs/wiki/42",
  signal: AbortSignal.timeout(30_000),
  ...fields,
});

test("a status is created as GitHub's API describes it", async (t) => {
  const api = await fake(t);
  const answer = await githubClient()(request(api.url));
  assert.deepEqual(answer, { kind: "http", status: 201, message: "", headers: {} });
  assert.deepEqual(api.problems, []);
  assert.deepEqual(api.statuses, [{
    repo: "sbrl/wiki", sha: SHA, state: "success", context: "laminar/wiki",
    description: "Laminar run #42 passed in 1m 3s", target_url: "https://ci.example.com/jobs/wiki/42",
  }]);
  const [sent] = api.requests;
  assert.equal(sent?.headers.authorization, `token ${TOKEN}`);
  assert.equal(sent?.headers["x-github-api-version"], "2022-11-28");
  assert.match(String(sent?.headers["user-agent"]), /^laminar-hooks/);
});

test("the fake refuses what GitHub would: a state GitHub does not know fails its OpenAPI check", async (t) => {
  const api = await fake(t);
  const answer = await githubClient()(request(api.url, { state: "running" }));
  assert.equal(answer.kind === "http" && answer.status, 422);
  assert.match(api.problems.join("\n"), /body\/state must be equal to one of the allowed values/);
});

test("rate limits come back with their headers, not retried in memory", async (t) => {
  const api = await fake(t);
  const reset = Math.floor(Date.now() / 1000) + 60;
  api.script(failures.retryAfter403(30), failures.rateLimited429(reset));
  const client = githubClient();
  const secondary = await client(request(api.url));
  assert.deepEqual(secondary.kind === "http" && [secondary.status, secondary.headers.retryAfter], [403, "30"]);
  assert.match(secondary.kind === "http" ? secondary.message : "", /secondary rate limit/);
  const primary = await client(request(api.url));
  assert.deepEqual(primary.kind === "http" && [primary.status, primary.headers.rateLimitReset, primary.headers.rateLimitRemaining], [429, String(reset), "0"]);
  // One request each: the throttling plugin handed the limits back instead of waiting them out.
  assert.equal(api.requests.length, 2);
});

test("5xx, 409 and 422 come back with GitHub's message, each after one request", async (t) => {
  const api = await fake(t);
  api.script(failures.serverError(), failures.conflict(), failures.unprocessable("No commit found for SHA: 3f2c1a9"));
  const client = githubClient();
  const answers = [await client(request(api.url)), await client(request(api.url)), await client(request(api.url))];
  assert.deepEqual(answers.map((a) => a.kind === "http" && [a.status, a.message]), [
    [502, "Server Error"],
    [409, "409 Conflict: another update of the sha is in progress"],
    [422, "No commit found for SHA: 3f2c1a9"],
  ]);
  assert.equal(api.requests.length, 3);
});

test("a hanging API: the signal ends the request as a network failure without the token", async (t) => {
  const api = await fake(t);
  api.script(failures.hang());
  const answer = await githubClient()(request(api.url, { signal: AbortSignal.timeout(200) }));
  assert.equal(answer.kind, "network");
  assert.ok(!JSON.stringify(answer).includes(TOKEN));
});

test("a wrong token is refused with GitHub's message, which never holds the token", async (t) => {
  const api = await fake(t);
  const answer = await githubClient()(request(api.url, { target: { api: api.url, token: new Secret("ghp_wrong", "inline") } }));
  assert.deepEqual(answer.kind === "http" && [answer.status, answer.message], [401, "Bad credentials"]);
});

test("nothing listens: a network failure saying why", async () => {
  const answer = await githubClient()(request(await closedPort()));
  assert.equal(answer.kind, "network");
  assert.match(answer.message, /ECONNREFUSED/);
});

test("a slow API: the status is created when the late answer goes, and the client waits for it", async (t) => {
  const api = await fake(t);
  api.script(failures.slow(300));
  const started = performance.now();
  const answer = await githubClient()(request(api.url));
  assert.equal(answer.kind === "http" ? answer.status : answer.kind, 201);
  assert.ok(performance.now() - started >= 290, "answered only after the delay");
  assert.equal(api.requests[0]?.delayedMs, 300);
  assert.equal(api.statuses.length, 1);
  assert.deepEqual(api.problems, []);
});
