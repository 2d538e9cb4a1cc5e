// GitLab's webhooks client against the fake GitLab API: every event flag said on create (push is on
// unless said), TLS verified, the token; an update in place sends the token again (a new URL would
// reset it) and re-enables a hook GitLab disabled; refusals keep their status.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Secret } from "../../../src/config/secret.ts";
import { gitLabApi } from "../../../src/forges/gitlab/api-client.ts";
import { ForgeApiError } from "../../../src/forges/shared/hook-log.ts";
import { webhookMatches } from "../../../src/forges/shared/webhooks.ts";
import { startFakeGitLabApi, type FakeGitLabApi } from "../../fixtures/fake-gitlab-api.ts";
import type { Context } from "../../report/report-kit.ts";

const TOKEN = "glpat-0123456789abcdefghij";
const URL = "https://ci.example.com/hooks";

async function fake(t: Context): Promise<FakeGitLabApi> {
  const api = await startFakeGitLabApi({ token: TOKEN });
  t.after(() => api.close());
  return api;
}
const target = (api: string, token = TOKEN) => ({ api, token: new Secret(token, "env GITLAB_TOKEN") });

test("a new hook has exactly the flags the jobs need, TLS verified, and the secret token", async (t) => {
  const api = await fake(t);
  api.hooks.addProject("group/sub/app");
  const gitlab = gitLabApi();
  const made = await gitlab.webhooks(target(api.url), "group/sub/app").create({ url: URL, events: ["tag", "pull_request"], secret: "s3cret" });
  assert.deepEqual(api.problems, []);
  assert.deepEqual(made.events, ["tag_push_events", "merge_requests_events"]);
  const [kept] = api.hooks.hooksOf("group/sub/app");
  assert.equal(kept?.token, "s3cret");
  assert.equal(kept?.flags?.push_events, false, "push_events is on unless said otherwise");
  assert.ok(webhookMatches(gitlab.webhookDialect, made, { url: URL, events: ["tag"], secret: "" }));
});

test("an update keeps the id, sends the token again and re-enables a hook GitLab disabled", async (t) => {
  const api = await fake(t);
  api.hooks.addProject("acme/app");
  api.hooks.addHook("acme/app", { id: 31, url: "http://ci.example.com/hooks", token: "old", alertStatus: "disabled", enableSslVerification: false });
  const hooks = gitLabApi().webhooks(target(api.url), "acme/app");
  const [hook] = await hooks.list();
  assert.ok(hook !== undefined && !hook.active && !hook.sslVerification);
  assert.match(hook.disabledBecause ?? "", /disabled/);
  const updated = await hooks.update(hook, { url: URL, events: ["push", "pull_request"], secret: "new" });
  assert.deepEqual(api.problems, []);
  assert.equal(updated.id, 31);
  assert.ok(updated.active && updated.sslVerification);
  const [kept] = api.hooks.hooksOf("acme/app");
  assert.equal(kept?.token, "new");
  assert.equal(kept?.url, URL);
  assert.deepEqual(updated.events, ["push_events", "tag_push_events", "merge_requests_events"], "the tag pushes it had stay on");
});

test("refusals reject with GitLab's status and message, never the token", async (t) => {
  const api = await fake(t);
  api.hooks.addProject("acme/locked", { forbidden: true });
  const hooks = (repo: string, token = TOKEN) => gitLabApi().webhooks(target(api.url, token), repo);
  for (const [promise, status] of [[hooks("acme/app", "nope").list(), 401], [hooks("acme/locked").list(), 403], [hooks("acme/missing").list(), 404]] as const) {
    const error = await promise.then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof ForgeApiError && error.status === status, String(error));
    assert.ok(!error.message.includes(TOKEN));
  }
});
