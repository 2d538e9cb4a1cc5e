// A payload's secret fields never get past verification: old Gitea and Gogs send the hook's own
// secret in the payload (fixture gitea/push-1), GitHub's ping sends the hook's config. Delivered
// through the real server, then read back the way an operator would, with `show`.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { payload } from "../support/payloads.ts";
import { runCli } from "../support/run-cli.ts";
import { giteaSignature, githubSignature } from "../support/sign.ts";
import { giteaHeaders, githubHeaders, startTestService, type TestService } from "../support/test-service.ts";

const push = payload("gitea/push-1.json");
/** The hook's secret as the payload carries it, and so also the one it is signed with. */
const SECRET = (JSON.parse(push.toString("utf8")) as { secret: string }).secret;

const CONFIG = `
forges:
  gitea: { secret: ${JSON.stringify(SECRET)} }
  github: { secret: gh-secret }
repositories:
  - repo: gitea/webhooks
    jobs:
      - job: webhooks
        events: [push]
        params: { pushed: "{{ payload.ref }} {{ payload.after }}" }
`;

describe("secret fields of a payload", () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ config: CONFIG });
  });
  after(() => svc.stop());

  const show = (...args: string[]) => runCli(["show", ...args, "--config", svc.configFile], svc.fake.env);

  test("a signed Gitea push that carries its hook's secret is queued, and the secret reaches neither show nor laminarc", async () => {
    assert.ok(push.includes(SECRET), "the fixture carries the secret");
    const answer = await svc.post("/hooks", push, giteaHeaders("push", "gitea-secret-1", giteaSignature(SECRET, push)));
    assert.equal(answer.status, 202, answer.body.message);
    assert.ok(!JSON.stringify(answer.body).includes(SECRET));

    const done = await waitFor(() => {
      const stored = svc.service.journal.getDelivery("gitea-secret-1");
      return stored?.dispatches[0]?.status === "done" && stored;
    }, 5_000, "dispatch done");
    const call = svc.fake.calls().find((c) => c.argv.includes("delivery=gitea-secret-1"));
    assert.ok(call?.argv.includes("pushed=refs/heads/develop bffeb74224043ba2feb48d137756c8a9331c449a"), "templates still read the payload");
    assert.ok(!JSON.stringify(call).includes(SECRET));

    const json = await show("gitea-secret-1", "--json");
    assert.equal(json.code, 0, json.stderr);
    const detail = JSON.parse(json.stdout) as { id: number; payload: string };
    assert.equal(detail.id, done.id);
    const kept = JSON.parse(detail.payload) as Record<string, unknown>;
    assert.equal(kept.after, "bffeb74224043ba2feb48d137756c8a9331c449a", "the rest of the payload is kept");
    assert.equal(Object.hasOwn(kept, "secret"), false);
    assert.ok(!json.stdout.includes(SECRET), "no trace of the secret in show --json");

    const text = await show(String(detail.id));
    assert.equal(text.code, 0, text.stderr);
    assert.ok(!text.stdout.includes(SECRET), "nor in show");
  });

  test("an organization ping's hook config (its masked secret and its URL) is not kept", async () => {
    const ping = payload("github/ping-3.json");
    const answer = await svc.post("/hooks", ping, githubHeaders("ping", "gh-ping-secret", githubSignature("gh-secret", ping)));
    assert.equal(answer.status, 200, answer.body.message);
    const json = await show("gh-ping-secret", "--json");
    assert.equal(json.code, 0, json.stderr);
    const kept = JSON.parse((JSON.parse(json.stdout) as { payload: string }).payload) as { hook: Record<string, unknown>; zen: string };
    assert.equal(typeof kept.zen, "string");
    assert.equal(Object.hasOwn(kept.hook, "config"), false);
    assert.ok(!json.stdout.includes("********"));
  });
});
