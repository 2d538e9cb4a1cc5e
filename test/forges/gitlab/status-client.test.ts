// The GitLab client with plain fetch against the fake GitLab API (reference/forges.md).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Secret } from "../../../src/config/secret.ts";
import { gitlabClient } from "../../../src/forges/gitlab/status-client.ts";
import type { StatusRequest } from "../../../src/forges/shared/status-request.ts";
import { failures } from "../../fixtures/fake-forge-api.ts";
import { startFakeGitLabApi, type FakeGitLabApi } from "../../fixtures/fake-gitlab-api.ts";
import { SHA, type Context } from "../../report/report-kit.ts";

const TOKEN = "glpat-xxxxxxxxxxxxxxxxxxxx";

async function fake(t: Context): Promise<FakeGitLabApi> {
  const api = await startFakeGitLabApi({ token: TOKEN });
  t.after(() => api.close());
  return api;
}

const request = (api: string, fields: Partial<StatusRequest> = {}): StatusRequest => ({
  target: { api, token: new Secret(TOKEN, "env GITLAB_TOKEN") },
  repo: "group/sub/wiki",
  sha: SHA,
  state: "pending",
  context: "laminar/wiki",
  description: "Laminar run #3 is queued",
  targetUrl: "https://ci.example.com/jobs/wiki/3",
  ref: "master",
  signal: AbortSignal.timeout(30_000),
  ...fields,
});

test("a status is posted to the URL-encoded project with PRIVATE-TOKEN, the context as name", async (t) => {
  const api = await fake(t);
  const answer = await gitlabClient()(request(api.url));
  assert.deepEqual(answer, { kind: "http", status: 201, message: "", headers: {} });
  assert.deepEqual(api.problems, []);
  assert.equal(api.requests[0]?.rawPath, `/api/v4/projects/group%2Fsub%2Fwiki/statuses/${SHA}`);
  assert.equal(api.requests[0]?.headers["private-token"], TOKEN);
  assert.deepEqual(api.statuses, [{
    project: "group/sub/wiki", sha: SHA, state: "pending", name: "laminar/wiki",
    description: "Laminar run #3 is queued", target_url: "https://ci.example.com/jobs/wiki/3", ref: "master",
  }]);
});

test("the same state twice: GitLab's 400 with its message", async (t) => {
  const api = await fake(t);
  const client = gitlabClient();
  await client(request(api.url));
  const again = await client(request(api.url));
  assert.deepEqual(again.kind === "http" && [again.status, again.message], [400, "Cannot transition status via :enqueue from :pending"]);
  const running = await client(request(api.url, { state: "running" }));
  assert.equal(running.kind === "http" && running.status, 201);
});

test("409, 5xx, 429 with x-ratelimit-reset and hanging come back as answers", async (t) => {
  const api = await fake(t);
  const reset = Math.floor(Date.now() / 1000) + 60;
  api.script(failures.conflict(), failures.serverError(), failures.rateLimited429(reset), failures.hang());
  const client = gitlabClient();
  const answers = [await client(request(api.url)), await client(request(api.url)), await client(request(api.url))];
  assert.deepEqual(answers.map((a) => a.kind === "http" && a.status), [409, 502, 429]);
  assert.equal(answers[2]?.kind === "http" && answers[2].headers.rateLimitReset, String(reset));
  const hung = await client(request(api.url, { signal: AbortSignal.timeout(200) }));
  assert.equal(hung.kind, "network");
});
