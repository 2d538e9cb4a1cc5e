// Redelivery from GitLab's webhook log (GitLab 17.4+), through the running service, against the
// fake GitLab API on loopback: exactly the failed events the journal lacks are resent, each once,
// also across a restart; at most 5 a minute per hook; a token refused is logged, counted and never
// stops the service.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startService, type Service } from "../../../src/start-service.ts";
import { waitFor } from "../../fixtures/fake-laminar-dir.ts";
import { startFakeGitLabApi, type FakeGitLabApi } from "../../fixtures/fake-gitlab-api.ts";
import type { FakeGitLabEvent } from "../../fixtures/fake-gitlab-hooks.ts";
import { payload } from "../../support/payloads.ts";
import { recordingLogger } from "../../support/recording-logger.ts";
import { runCli } from "../../support/run-cli.ts";
import { gitlabHeaders, startTestService, type TestService } from "../../support/test-service.ts";
import { counter as countFor, morePasses as passesFor, PUBLIC_URL, redeliveringService, stopService } from "../../catch-up/service-kit.ts";

const TOKEN = "glpat-fakeTokenForTheTest0123";
const SECRET = "topsecret";
const recorded = recordingLogger();
let api: FakeGitLabApi;
let svc: TestService;
let restarted: Service | undefined;

/** A real GitLab push payload (push-1.json) for `project`, with its own head. */
function pushData(project: string, head: string): Record<string, unknown> {
  const body = JSON.parse(payload("gitlab/push-1.json").toString("utf8")) as Record<string, unknown> & { project: Record<string, unknown> };
  return { ...body, after: head, checkout_sha: head, project: { ...body.project, path_with_namespace: project } };
}
const key = (name: string) => `${name}0000000-9c7f-4af9-add6-cddebe3c426f`.slice(-36);
/** An attempt as GitLab logs it: the headers it sent (the secret token redacted), the body, the answer. */
const logged = (project: string, name: string, status: string, head = name.repeat(40).slice(0, 40)): Omit<FakeGitLabEvent, "id"> => ({
  trigger: "push_hooks",
  request_headers: {
    "Content-Type": "application/json", "User-Agent": "GitLab/17.5.0", "X-Gitlab-Event": "Push Hook",
    "X-Gitlab-Event-UUID": `uuid-${name}-${status}`, "Idempotency-Key": key(name),
  },
  request_data: pushData(project, head),
  response_status: status,
});
const send = (event: Pick<FakeGitLabEvent, "request_data" | "request_headers">) =>
  svc.post("/hooks", JSON.stringify(event.request_data), gitlabHeaders("Push Hook", event.request_headers["Idempotency-Key"] ?? "", { token: SECRET }));

before(async () => {
  api = await startFakeGitLabApi({ token: TOKEN });
  const { hooks } = api;
  // GitLab sends the event again, with its Idempotency-Key, to where the hook points: here, unless
  // the test says the service is still unreachable for it (no head to build).
  hooks.onResend = async (event) => {
    if (event.request_headers["X-Unreachable"] !== undefined) return "internal error";
    await waitFor(() => svc, 5_000, "the service");
    return String((await send(event)).status);
  };
  hooks.addProject("acme/app");
  hooks.addHook("acme/app", { id: 1, url: `${PUBLIC_URL}/gitlab` });
  hooks.addHook("acme/app", { id: 2, url: "https://elsewhere.example.com/hook" });
  const e = hooks.addEvent("acme/app", 1, logged("acme/app", "e", "internal error"));   // on the second page
  for (let i = 0; i < 150; i += 1) hooks.addEvent("acme/app", 1, logged("acme/app", `ok${i}-`, "200"));
  hooks.addEvent("acme/app", 1, logged("acme/app", "b", "500"));
  hooks.addEvent("acme/app", 1, logged("acme/app", "b", "200"));                        // GitLab's own retry worked
  const unreachable = logged("acme/app", "g", "internal error");
  hooks.addEvent("acme/app", 1, { ...unreachable, request_headers: { ...unreachable.request_headers, "X-Unreachable": "1" } });
  hooks.addEvent("acme/app", 1, logged("acme/app", "a", "502"));
  hooks.addEvent("acme/app", 2, logged("acme/app", "f", "internal error"));             // another hook's: not ours
  assert.ok(e.id > 0);
  // Six failed events on one hook: GitLab resends 5 a minute per hook.
  hooks.addProject("acme/busy");
  hooks.addHook("acme/busy", { id: 5, url: PUBLIC_URL });
  for (const name of ["h", "i", "j", "k", "l", "m"]) {
    const event = logged("acme/busy", name, "internal error");
    hooks.addEvent("acme/busy", 5, { ...event, request_headers: { ...event.request_headers, "X-Unreachable": "1" } });
  }
  hooks.addProject("acme/maintained", { forbidden: true });

  svc = await startTestService(redeliveringService(`gitlab: { secret: ${SECRET}, token: ${JSON.stringify(TOKEN)}, api: ${JSON.stringify(api.url)} }`, [
    "{ repo: acme/app, forge: gitlab, jobs: [{ job: app, events: [push] }] }",
    "{ repo: acme/busy, forge: gitlab, jobs: [{ job: busy, events: [push] }] }",
    "{ repo: acme/locked, forge: gitlab, token: wrong-token, jobs: [{ job: locked }] }",
    "{ repo: acme/maintained, forge: gitlab, jobs: [{ job: maintained }] }",
  ], recorded.logger));
});
after(async () => {
  await stopService(svc, restarted);
  await api.close();
});

const counter = (service: Service, name: string) => countFor(service, name, "redeliver");
const morePasses = (service: Service, count: number) => passesFor(service, "redeliver", count);
const resentKeys = (project: string) => api.hooks.resends.filter((entry) => entry.project === project).map((entry) => entry.key).sort();

test("exactly the failed events the journal lacks are resent, and arrive as themselves", async () => {
  // An event that reached the service although GitLab logged it as failed (its answer came late).
  const c = logged("acme/app", "c", "internal error");
  assert.equal((await send(c)).status, 202);
  api.hooks.addEvent("acme/app", 1, c);

  await waitFor(() => svc.service.journal.getDelivery(key("a"))?.status === "done", 15_000, "A resent and built");
  await waitFor(() => svc.service.journal.getDelivery(key("e")), 15_000, "E (second page) resent");
  await waitFor(() => resentKeys("acme/app").includes(key("g")), 15_000, "G resent");
  await morePasses(svc.service, 3);

  assert.deepEqual(resentKeys("acme/app"), [key("a"), key("e"), key("g")].sort(), "each failed event missing from the journal, once");
  assert.ok(api.hooks.resends.filter((entry) => entry.project === "acme/app").every((entry) => entry.hookId === 1));
  assert.deepEqual(api.problems, []);
  assert.ok(api.requests.some((request) => request.rawPath.startsWith("/api/v4/projects/acme%2Fapp/hooks/1/events") && request.query.get("page") === "2"),
    "the second page was read");
  assert.equal(svc.service.journal.getDelivery(key("a"))?.dispatches[0]?.params.rev, "a".repeat(40));

  const listed = JSON.parse((await runCli(["deliveries", "--json", "--config", svc.configFile], svc.fake.env)).stdout) as
    { deliveryId: string; foundBy?: string }[];
  assert.equal(listed.find((item) => item.deliveryId === key("a"))?.foundBy, "redelivered");
  assert.equal(listed.find((item) => item.deliveryId === key("c"))?.foundBy, undefined);
});

test("at most 5 resends a minute per hook; the rest are left for a later pass", async () => {
  await waitFor(() => resentKeys("acme/busy").length >= 5, 15_000, "five resends of acme/busy");
  await waitFor(() => recorded.lines.find((entry) => entry.repo === "acme/busy" && /left for a later pass/.test(String(entry.msg))),
    15_000, "the sixth deferred");
  await morePasses(svc.service, 3);
  assert.deepEqual(resentKeys("acme/busy"), ["h", "i", "j", "k", "l"].map(key).sort());
  assert.ok(api.requests.every((request) => request.answer !== 429), "GitLab's limit was never hit");
});

test("a token refused (401, 403) is logged and counted, and the service goes on; the token never reaches the log", async () => {
  for (const [repo, status] of [["acme/locked", "401"], ["acme/maintained", "403"]] as const) {
    const line = await waitFor(() => recorded.lines.find((entry) => entry.repo === repo && entry.msg === "catch-up: reading GitLab's delivery log failed"),
      15_000, `${repo}'s failure logged`);
    assert.match(String(line.reason), new RegExp(`^${status} `));
  }
  assert.ok((await counter(svc.service, "laminar_hooks_catch_up_failures_total")) > 0);
  const text = recorded.lines.map((entry) => JSON.stringify(entry)).join("\n");
  assert.ok(!text.includes(TOKEN) && !text.includes("wrong-token"));
  // Still answering deliveries.
  assert.equal((await send(logged("acme/app", "n", "200"))).status, 202);
});

test("what was resent is remembered across a restart: nothing is resent twice", async () => {
  const resent = api.hooks.resends.map((entry) => entry.key).sort();
  await svc.service.stop(1_000);
  restarted = await startService({ configFile: svc.configFile, env: svc.fake.env, logger: recorded.logger, watchConfig: false, catchUpIntervalMs: 300 });
  await morePasses(restarted, 3);
  assert.deepEqual(api.hooks.resends.map((entry) => entry.key).sort(), resent);
  assert.deepEqual(api.problems, []);
});
