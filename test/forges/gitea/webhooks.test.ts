// The Gitea family's webhooks client against the fake Gitea API, whose bodies are checked against
// Gitea's CreateHookOption and EditHookOption: `type` given, `active: true` said (it defaults to
// false), JSON, the secret; an update in place keeps the id; refusals keep their status.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Secret } from "../../../src/config/secret.ts";
import { giteaApi } from "../../../src/forges/gitea/api-client.ts";
import { ForgeApiError } from "../../../src/forges/shared/hook-log.ts";
import { webhookMatches } from "../../../src/forges/shared/webhooks.ts";
import { startFakeGiteaApi, type FakeGiteaApi } from "../../fixtures/fake-gitea-api.ts";
import type { Context } from "../../report/report-kit.ts";

const TOKEN = "0123456789abcdef0123456789abcdef01234567";
const URL = "https://ci.example.com/hooks";

async function fake(t: Context): Promise<FakeGiteaApi> {
  const api = await startFakeGiteaApi({ token: TOKEN });
  t.after(() => api.close());
  return api;
}
const target = (api: string, token = TOKEN) => ({ api, token: new Secret(token, "file /etc/laminar-hooks/gitea.token") });

test("Gitea and Forgejo hooks are created with their own type, active, JSON, the events and the secret", async (t) => {
  const api = await fake(t);
  api.hooks.addRepository("acme/app");
  api.hooks.addRepository("acme/forked");
  const gitea = giteaApi("gitea");
  await gitea.webhooks(target(api.url), "acme/app").create({ url: URL, events: ["push", "tag", "release"], secret: "s3cret" });
  await giteaApi("forgejo").webhooks(target(api.url), "acme/forked").create({ url: URL, events: ["pull_request"], secret: "other" });
  assert.deepEqual(api.problems, []);
  const [made] = api.hooks.hooksOf("acme/app");
  assert.deepEqual({ ...made, id: 0 }, { id: 0, type: "gitea", url: URL, contentType: "json", active: true, events: ["push", "release"], branchFilter: "*", secret: "s3cret" });
  assert.equal(api.hooks.hooksOf("acme/forked")[0]?.type, "forgejo");
  const [listed] = await gitea.webhooks(target(api.url), "acme/app").list();
  assert.ok(listed !== undefined && webhookMatches(gitea.webhookDialect, listed, { url: URL, events: ["tag", "release"], secret: "" }));
});

test("an update keeps the hook's id and other events and turns an inactive, form hook narrowed to one branch into ours", async (t) => {
  const api = await fake(t);
  api.hooks.addRepository("acme/app");
  const old = api.hooks.addHook("acme/app", { type: "gitea", url: URL, contentType: "form", active: false, events: ["issues"], branchFilter: "main", secret: "old" });
  const hooks = giteaApi("gitea").webhooks(target(api.url), "acme/app");
  const [hook] = await hooks.list();
  assert.ok(hook !== undefined && !hook.active && hook.contentType === "form" && hook.branchFilter === "main");
  // The branch filter alone is a difference: pushes to other branches are never sent.
  const narrowed = { ...hook, active: true, contentType: "json", events: ["issues", "push"] };
  assert.ok(!webhookMatches(giteaApi("gitea").webhookDialect, narrowed, { url: URL, events: ["push"], secret: "" }));
  assert.ok(webhookMatches(giteaApi("gitea").webhookDialect, { ...narrowed, branchFilter: "" }, { url: URL, events: ["push"], secret: "" }), "an empty filter is every branch");
  const updated = await hooks.update(hook, { url: URL, events: ["push"], secret: "new" });
  assert.equal(updated.id, old.id);
  assert.deepEqual(api.problems, []);
  assert.deepEqual(api.hooks.hooksOf("acme/app"), [{ ...old, contentType: "json", active: true, events: ["issues", "push"], branchFilter: "*", secret: "new" }]);
});

test("Gogs: no branch filter, its own type", async (t) => {
  const api = await fake(t);
  api.hooks.addRepository("acme/old");
  await giteaApi("gogs").webhooks(target(api.url), "acme/old").create({ url: URL, events: ["push"], secret: "s" });
  assert.deepEqual(api.problems, []);
  assert.equal(api.hooks.hooksOf("acme/old")[0]?.type, "gogs");
  assert.equal(api.hooks.hooksOf("acme/old")[0]?.branchFilter, "");
  assert.equal(giteaApi("gogs").postStatus, undefined, "Gogs has no status API");
});

test("refusals reject with Gitea's status and message, never the token", async (t) => {
  const api = await fake(t);
  api.hooks.addRepository("acme/locked", { forbidden: true });
  const hooks = (repo: string, token = TOKEN) => giteaApi("gitea").webhooks(target(api.url, token), repo);
  for (const [promise, status] of [[hooks("acme/app", "nope").list(), 401], [hooks("acme/locked").list(), 403], [hooks("acme/missing").list(), 404]] as const) {
    const error = await promise.then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof ForgeApiError && error.status === status, String(error));
    assert.ok(!error.message.includes(TOKEN));
  }
});
