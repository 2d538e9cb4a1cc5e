// GitHub's delivery-log client against the fake GitHub hooks API (fake-github-hooks.ts, validated
// against GitHub's OpenAPI description) when it hangs: each request is given up after its timeout,
// and the service's stop aborts the ones in flight instead of waiting for them.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { gitHubHooksClient } from "../../../src/forges/github/hooks-client.ts";
import { Secret, SecretUnreadableError } from "../../../src/config/secret.ts";
import { startFakeGitHubApi, type FakeGitHubApi } from "../../fixtures/fake-github-api.ts";
import { recordingLogger } from "../../support/recording-logger.ts";
import { startTestService } from "../../support/test-service.ts";
import { counter, PUBLIC_URL, redeliveringService } from "../../catch-up/service-kit.ts";

const TOKEN = "ghp_fakeTokenForTheHangTest0123456789";
let api: FakeGitHubApi;

before(async () => {
  api = await startFakeGitHubApi({ token: TOKEN });
  api.hooks.addHook("acme/app", { id: 1, url: PUBLIC_URL, active: true });
});
after(() => api.close());

const client = (options: Parameters<typeof gitHubHooksClient>[4] = {}) =>
  gitHubHooksClient(api.url, new Secret(TOKEN, "test"), "acme", "app", options);

test("a request GitHub does not answer is given up after the timeout, saying so; the next one works", async () => {
  api.script("hang");
  const started = Date.now();
  await assert.rejects(client({ timeoutMs: 300 }).listHooks(), /^Error: GitHub did not answer GET \/repos\/\{owner\}\/\{repo\}\/hooks within 300ms$/);
  assert.ok(Date.now() - started >= 290, "not before the timeout");
  assert.deepEqual(await client({ timeoutMs: 300 }).listHooks(), [{ id: 1, url: PUBLIC_URL, active: true }]);
  assert.deepEqual(api.problems, []);
});

test("the caller's abort ends a hanging request at once, long before its timeout", async () => {
  api.script("hang");
  const before = api.requests.length;
  const controller = new AbortController();
  const listing = client({ signal: controller.signal }).listDeliveries(1, 0);
  const settled = assert.rejects(listing, (error: Error) => !/did not answer/.test(error.message));
  await api.waitForRequests(before + 1);
  controller.abort();
  await settled;
});

test("a token this process cannot read fails the request, naming it, and nothing is sent", async () => {
  const before = api.requests.length;
  const unreadable = Secret.unreadable("env GITHUB_TOKEN", "forges.github.token: environment variable GITHUB_TOKEN is not set or empty");
  await assert.rejects(gitHubHooksClient(api.url, unreadable, "acme", "app").listHooks(), (error: Error) =>
    error instanceof SecretUnreadableError && error.message.startsWith("forges.github.token: environment variable GITHUB_TOKEN is not set or empty"));
  assert.equal(api.requests.length, before);
});

test("the service stops at once while GitHub's hook log hangs, and counts no failed pass", async () => {
  const recorded = recordingLogger();
  // The first pass starts with the service: its first request hangs (the client's timeout is 30 s).
  api.script("hang");
  const before = api.requests.length;
  const svc = await startTestService(redeliveringService(`github: { secret: topsecret, token: ${JSON.stringify(TOKEN)}, api: ${JSON.stringify(api.url)} }`, [
    "{ repo: acme/app, forge: github, jobs: [{ job: app, events: [push] }] }",
  ], recorded.logger));
  try {
    await api.waitForRequests(before + 1);
    const started = Date.now();
    await svc.service.catchUp.stop();
    const took = Date.now() - started;
    assert.ok(took < 5_000, `catch-up stopped in ${took} ms, not after the request's 30 s timeout`);
    assert.equal(await counter(svc.service, "laminar_hooks_catch_up_failures_total", "redeliver"), 0);
    assert.equal(await counter(svc.service, "laminar_hooks_catch_up_failures_total", "poll"), 0);
  } finally {
    await svc.stop();
  }
});
