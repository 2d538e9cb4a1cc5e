// GitHub's webhooks client against the fake GitHub API, whose checks come from GitHub's OpenAPI
// description: a hook is created as JSON, active, with the events and secret; updated in place
// with the secret sent again (a PATCH without it would remove it); refusals keep their status.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Secret } from "../../../src/config/secret.ts";
import { gitHubApi } from "../../../src/forges/github/api-client.ts";
import { ForgeApiError } from "../../../src/forges/shared/hook-log.ts";
import { webhookMatches } from "../../../src/forges/shared/webhooks.ts";
import { startFakeGitHubApi, type FakeGitHubApi } from "../../fixtures/fake-github-api.ts";
import type { Context } from "../../report/report-kit.ts";

const TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
const URL = "https://ci.example.com/hooks";

async function fake(t: Context): Promise<FakeGitHubApi> {
  const api = await startFakeGitHubApi({ token: TOKEN });
  t.after(() => api.close());
  return api;
}
const target = (api: string, token = TOKEN) => ({ api, token: new Secret(token, "env GITHUB_TOKEN") });

test("a new hook is created as JSON, active, TLS verified, with the events the jobs need and the secret", async (t) => {
  const api = await fake(t);
  api.hooks.addRepository("acme/app");
  const client = gitHubApi();
  const hooks = client.webhooks(target(api.url), "acme/app");
  const made = await hooks.create({ url: URL, events: ["push", "tag", "pull_request"], secret: "s3cret" });
  assert.deepEqual(api.problems, []);
  assert.deepEqual(api.hooks.hooksOf("acme/app"), [{ id: made.id, url: URL, active: true, events: ["push", "pull_request"], contentType: "json", insecureSsl: "0", secret: "s3cret" }]);
  const [listed] = await hooks.list();
  assert.ok(listed !== undefined && webhookMatches(client.webhookDialect, listed, { url: URL, events: ["push", "pull_request"], secret: "" }));
  assert.ok(!webhookMatches(client.webhookDialect, listed, { url: URL, events: ["release"], secret: "" }), "a missing event is a difference");
});

test("an update keeps the hook's id and its other events, sends the secret again and turns it on", async (t) => {
  const api = await fake(t);
  api.hooks.addHook("acme/app", { id: 7, url: URL, active: false, events: ["issues"], contentType: "form", insecureSsl: "1", secret: "old" });
  const hooks = gitHubApi().webhooks(target(api.url), "acme/app");
  const [hook] = await hooks.list();
  assert.ok(hook !== undefined);
  assert.deepEqual({ active: hook.active, contentType: hook.contentType, ssl: hook.sslVerification }, { active: false, contentType: "form", ssl: false });
  const updated = await hooks.update(hook, { url: URL, events: ["push"], secret: "new" });
  assert.equal(updated.id, 7);
  assert.deepEqual(api.problems, []);
  assert.deepEqual(api.hooks.hooksOf("acme/app"), [{ id: 7, url: URL, active: true, events: ["issues", "push"], contentType: "json", insecureSsl: "0", secret: "new" }]);
});

test("refusals reject with GitHub's status and message, never the token", async (t) => {
  const api = await fake(t);
  api.hooks.addRepository("acme/locked", { forbidden: true });
  const client = gitHubApi();
  const refused = async (promise: Promise<unknown>, status: number) => {
    const error = await promise.then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof ForgeApiError, String(error));
    assert.equal(error.status, status);
    assert.ok(!error.message.includes(TOKEN));
  };
  await refused(client.webhooks(target(api.url, "ghp_wrong"), "acme/app").list(), 401);
  await refused(client.webhooks(target(api.url), "acme/locked").list(), 403);
  await refused(client.webhooks(target(api.url), "acme/missing").create({ url: URL, events: ["push"], secret: "s" }), 404);
  assert.deepEqual(api.problems, []);
});

test("a hanging API is given up after the timeout, and the caller's stop aborts at once", async (t) => {
  const api = await fake(t);
  api.hooks.addRepository("acme/app");
  api.script("hang", "hang");
  const client = gitHubApi();
  await assert.rejects(client.webhooks(target(api.url), "acme/app", { timeoutMs: 200 }).list(), /abort|timeout/i);
  const stop = new AbortController();
  const listing = client.webhooks(target(api.url), "acme/app", { signal: stop.signal }).list();
  await api.waitForRequests(2);
  stop.abort();
  await assert.rejects(listing, /abort/i);
});
