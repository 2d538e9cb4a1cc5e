// The Gitea and Forgejo client with plain fetch against the fake Gitea API (reference/forges.md).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Secret } from "../../../src/config/secret.ts";
import { giteaClient } from "../../../src/forges/gitea/status-client.ts";
import type { StatusRequest } from "../../../src/forges/shared/status-request.ts";
import { failures } from "../../fixtures/fake-forge-api.ts";
import { startFakeGiteaApi, type FakeGiteaApi } from "../../fixtures/fake-gitea-api.ts";
import { SHA, type Context } from "../../report/report-kit.ts";

const TOKEN = "9f2d1c0b8a7e6d5c4b3a29181716151413121110";

async function fake(t: Context): Promise<FakeGiteaApi> {
  const api = await startFakeGiteaApi({ token: TOKEN });
  t.after(() => api.close());
  return api;
}

const request = (api: string, fields: Partial<StatusRequest> = {}): StatusRequest => ({
  target: { api, token: new Secret(TOKEN, "env GITEA_TOKEN") },
  repo: "sbrl/wiki",
  sha: SHA,
  state: "failure",
  context: "laminar/wiki",
  description: "Laminar run #7 failed after 12s",
  targetUrl: "https://ci.example.com/jobs/wiki/7",
  signal: AbortSignal.timeout(30_000),
  ...fields,
});

test("a status is posted with `Authorization: token`, as Gitea takes it", async (t) => {
  const api = await fake(t);
  const answer = await giteaClient()(request(api.url));
  assert.deepEqual(answer, { kind: "http", status: 201, message: "", headers: {} });
  assert.deepEqual(api.problems, []);
  assert.deepEqual(api.statuses, [{
    repo: "sbrl/wiki", sha: SHA, state: "failure", context: "laminar/wiki",
    description: "Laminar run #7 failed after 12s", target_url: "https://ci.example.com/jobs/wiki/7",
  }]);
  assert.equal(api.requests[0]?.headers.authorization, `token ${TOKEN}`);
});

test("each failure of the fake comes back as an answer with Gitea's message and headers", async (t) => {
  const api = await fake(t);
  api.script(failures.serverError(), failures.conflict(), failures.retryAfter403(7), failures.unprocessable("sha is not a commit"));
  const client = giteaClient();
  const answers = [];
  for (let i = 0; i < 4; i += 1) answers.push(await client(request(api.url)));
  assert.deepEqual(answers.map((a) => a.kind === "http" && [a.status, a.message, a.headers.retryAfter]), [
    [502, "Server Error", undefined],
    [409, "409 Conflict: another update of the sha is in progress", undefined],
    [403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", "7"],
    [422, "sha is not a commit", undefined],
  ]);
});

test("a wrong token is refused; a hanging API is cut by the signal", async (t) => {
  const api = await fake(t);
  const refused = await giteaClient()(request(api.url, { target: { api: api.url, token: new Secret("wrong", "inline") } }));
  assert.deepEqual(refused.kind === "http" && [refused.status, refused.message], [401, "token is required"]);
  api.script(failures.hang());
  const hung = await giteaClient()(request(api.url, { signal: AbortSignal.timeout(200) }));
  assert.equal(hung.kind, "network");
});

test("an answer that is not JSON (a proxy's error page) gives its text", async () => {
  const fetchPage: typeof fetch = async () => new Response("<html>502 Bad Gateway</html>", { status: 502, statusText: "Bad Gateway" });
  const answer = await giteaClient({ fetch: fetchPage })(request("https://git.example.com/api/v1"));
  assert.deepEqual(answer.kind === "http" && [answer.status, answer.message], [502, "<html>502 Bad Gateway</html>"]);
});

test("a token echoed by the API never reaches the answer", async () => {
  const echo: typeof fetch = async (_url, init) =>
    new Response(JSON.stringify({ message: `bad header ${String(new Headers(init?.headers).get("authorization"))}` }), { status: 400 });
  const answer = await giteaClient({ fetch: echo })(request("https://git.example.com/api/v1"));
  assert.equal(answer.kind === "http" && answer.message, "bad header token [token]");
});
