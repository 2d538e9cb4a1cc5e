// Redelivery from GitHub's delivery log, through the running service, against a fake of GitHub's
// API on loopback (the shared one, its hooks routes checked against GitHub's OpenAPI description): exactly the failed
// deliveries the journal lacks are sent again, each once, also across a restart.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { retentionMs, sendsHere } from "../../src/catch-up/redeliver-repository.ts";
import { startService, type Service } from "../../src/start-service.ts";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { startFakeGitHubApi, type FakeGitHubApi } from "../fixtures/fake-github-api.ts";
import { payload } from "../support/payloads.ts";
import { recordingLogger } from "../support/recording-logger.ts";
import { runCli } from "../support/run-cli.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders, startTestService, type TestService } from "../support/test-service.ts";
import { counter as countFor, morePasses as passesFor, PUBLIC_URL, redeliveringService, stopService } from "./service-kit.ts";

const TOKEN = "ghp_fakeTokenForTheTest0123456789";
const recorded = recordingLogger();
let api: FakeGitHubApi;
let svc: TestService;
let restarted: Service | undefined;
const bodies = new Map<string, string>();

const ago = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
const guid = (name: string) => `${name}0000000-b361-11eb-836d-0e4f3503ccbe`.slice(-36);

/** A real GitHub push payload (push-5.json) for acme/app, with its own head. */
function pushBody(head: string): string {
  const body = JSON.parse(payload("github/push-5.json").toString("utf8")) as Record<string, unknown> & { repository: Record<string, unknown> };
  body.after = head;
  body.repository = { ...body.repository, full_name: "acme/app" };
  return JSON.stringify(body);
}
const send = (id: string, body: string) => svc.post("/hooks", body, githubHeaders("push", id, githubSignature("topsecret", body)));
const failed = (id: string, hours: number, status = "failed to connect to host", statusCode = 0) =>
  ({ guid: id, deliveredAt: ago(hours), status, statusCode, event: "push" });

before(async () => {
  api = await startFakeGitHubApi({ token: TOKEN });
  // GitHub sends the delivery again, signed, with its guid, to where the hook points: here, the service.
  api.hooks.onRedeliver = async (attempt) => {
    const body = bodies.get(attempt.guid);
    if (body === undefined) return { status: "failed to connect to host", statusCode: 0 };
    // The service's first pass may ask before startTestService has handed it over.
    await waitFor(() => svc, 5_000, "the service");
    const answer = await send(attempt.guid, body);
    return answer.status < 300 ? { status: "OK", statusCode: answer.status } : { status: `Invalid HTTP Response: ${answer.status}`, statusCode: answer.status };
  };
  api.hooks.addHook("acme/app", { id: 1, url: PUBLIC_URL, active: true });
  api.hooks.addHook("acme/app", { id: 2, url: "https://elsewhere.example.com/hook", active: true });
  api.hooks.addHook("acme/app", { id: 3, url: `${PUBLIC_URL}/github`, active: false });
  api.hooks.addHook("acme/locked", { id: 9, url: PUBLIC_URL, active: true });

  // Older than GitHub Enterprise keeps them (7 days; the fake is not api.github.com).
  api.hooks.addDelivery("acme/app", 1, failed(guid("d"), 8 * 24));
  const e = api.hooks.addDelivery("acme/app", 1, failed(guid("e"), 60));   // on the second page
  bodies.set(e.guid, pushBody("e".repeat(40)));
  for (let i = 0; i < 150; i += 1) api.hooks.addDelivery("acme/app", 1, { guid: `ok-${i}`, deliveredAt: ago(50), status: "OK", statusCode: 202, event: "push" });
  api.hooks.addDelivery("acme/app", 1, failed(guid("b"), 20));
  api.hooks.addDelivery("acme/app", 1, { ...failed(guid("b"), 19), status: "OK", statusCode: 202, redelivery: true });
  api.hooks.addDelivery("acme/app", 1, failed(guid("g"), 10));             // GitHub cannot reach the service even now
  const a = api.hooks.addDelivery("acme/app", 1, failed(guid("a"), 1, "Invalid HTTP Response: 502", 502));
  bodies.set(a.guid, pushBody("a".repeat(40)));
  api.hooks.addDelivery("acme/app", 2, failed(guid("f"), 1));               // another hook's: not ours

  svc = await startTestService(redeliveringService(`github: { secret: topsecret, token: ${JSON.stringify(TOKEN)}, api: ${JSON.stringify(api.url)} }`, [
    "{ repo: acme/app, forge: github, jobs: [{ job: app, events: [push] }] }",
    "{ repo: acme/locked, forge: github, token: wrong-token, jobs: [{ job: locked }] }",
  ], recorded.logger));
});
after(async () => {
  await stopService(svc, restarted);
  await api.close();
});

const counter = (service: Service, name: string) => countFor(service, name, "redeliver");
const morePasses = (service: Service, count: number) => passesFor(service, "redeliver", count);
const askedGuids = () => api.hooks.redeliveries.map((entry) => entry.guid).sort();

test("exactly the failed deliveries the journal lacks are sent again, and arrive as themselves", async () => {
  // A delivery that reached the service although GitHub logged it as failed (its answer came late).
  const c = guid("c");
  assert.equal((await send(c, pushBody("c".repeat(40)))).status, 202);
  api.hooks.addDelivery("acme/app", 1, failed(c, 0.5, "timed out", 0));

  await waitFor(() => svc.service.journal.getDelivery(guid("a"))?.status === "done", 15_000, "A redelivered and built");
  await waitFor(() => svc.service.journal.getDelivery(guid("e")), 15_000, "E (second page) redelivered");
  await waitFor(() => api.hooks.redeliveries.some((entry) => entry.guid === guid("g")), 15_000, "G asked for");
  await morePasses(svc.service, 3);

  assert.deepEqual(askedGuids(), [guid("a"), guid("e"), guid("g")].sort(), "each failed delivery missing from the journal, once");
  assert.ok(api.hooks.redeliveries.every((entry) => entry.hookId === 1));
  assert.deepEqual(api.problems, []);
  assert.equal(svc.service.journal.getDelivery(guid("a"))?.dispatches[0]?.params.rev, "a".repeat(40));
  assert.equal(await counter(svc.service, "laminar_hooks_catch_up_found_total"), 3);

  const listed = JSON.parse((await runCli(["deliveries", "--json", "--config", svc.configFile], svc.fake.env)).stdout) as
    { deliveryId: string; foundBy?: string }[];
  assert.equal(listed.find((item) => item.deliveryId === guid("a"))?.foundBy, "redelivered");
  assert.equal(listed.find((item) => item.deliveryId === c)?.foundBy, undefined);
});

test("a refused token is reported and counted; the token never reaches the log", async () => {
  const line = await waitFor(() => recorded.lines.find((entry) => entry.repo === "acme/locked" && entry.msg === "catch-up: reading GitHub's delivery log failed"),
    15_000, "the failure logged");
  assert.match(String(line.reason), /^401 Bad credentials/);
  assert.ok((await counter(svc.service, "laminar_hooks_catch_up_failures_total")) > 0);
  const text = recorded.lines.map((entry) => JSON.stringify(entry)).join("\n");
  assert.ok(!text.includes(TOKEN) && !text.includes("wrong-token"));
});

test("what was asked is remembered across a restart: nothing is asked twice", async () => {
  const asked = askedGuids();
  await svc.service.stop(1_000);
  restarted = await startService({ configFile: svc.configFile, env: svc.fake.env, logger: recorded.logger, watchConfig: false, catchUpIntervalMs: 300 });
  await morePasses(restarted, 3);
  assert.deepEqual(askedGuids(), asked);
  assert.deepEqual(api.problems, []);
});

test("GitHub keeps deliveries 3 days, GitHub Enterprise Server 7", () => {
  assert.equal(retentionMs("https://api.github.com"), 3 * 86_400_000);
  assert.equal(retentionMs("https://github.example.com/api/v3"), 7 * 86_400_000);
});

test("a hook is this service's when it sends to public_url, or to public_url/github", () => {
  assert.equal(sendsHere("https://ci.example.com/hooks", PUBLIC_URL), true);
  assert.equal(sendsHere("https://CI.example.com/hooks/", PUBLIC_URL), true);
  assert.equal(sendsHere("https://ci.example.com/hooks/github", PUBLIC_URL), true);
  assert.equal(sendsHere("https://ci.example.com/hooks/gitea", PUBLIC_URL), false);
  assert.equal(sendsHere("https://ci.example.com/hooksx", PUBLIC_URL), false);
  assert.equal(sendsHere(undefined, PUBLIC_URL), false);
});
