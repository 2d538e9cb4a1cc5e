// The hook decisions, row by row, with each forge's own dialect (its event names).

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkHook, checkLastDelivery, type HookCheck } from "../../../src/cli/doctor/check-hook.ts";
import type { Webhook } from "../../../src/forges/api-clients.ts";
import { giteaWebhookDialect } from "../../../src/forges/gitea/webhooks.ts";
import { gitHubWebhookDialect } from "../../../src/forges/github/webhooks.ts";
import { gitLabWebhookDialect } from "../../../src/forges/gitlab/webhooks.ts";

const URL = "https://ci.example.com/hooks";
const github: HookCheck = { forge: "github", repo: "acme/app", publicUrl: URL, needs: ["push", "pull_request"], dialect: gitHubWebhookDialect };

function hook(changes: Partial<Webhook> = {}): Webhook {
  return { id: 7, url: URL, active: true, contentType: "json", events: ["push", "pull_request"], sslVerification: true, ...changes };
}

/** Severity and message of each finding. */
function said(findings: ReturnType<typeof checkHook>): string[] {
  return findings.map((finding) => `${finding.severity}: ${finding.message}`);
}

test("a hook at our URL, active, JSON, with the events: nothing to say", () => {
  assert.deepEqual(checkHook(github, [hook()]), []);
  // `*` is every event; another service's hook beside ours is left alone.
  assert.deepEqual(checkHook(github, [hook({ id: 1, url: "https://other.example.com/x", events: [] }), hook({ events: ["*"] })]), []);
});

test("each way a hook is wrong is named", () => {
  assert.match(said(checkHook(github, []))[0]!, /^problem: no hook of the repository points at https:\/\/ci\.example\.com\/hooks: its pushes are not sent/);
  assert.match(said(checkHook(github, [hook({ url: "https://ci.example.com/old-hooks" })]))[0]!,
    /^problem: no hook points at https:\/\/ci\.example\.com\/hooks; hook 7 points at https:\/\/ci\.example\.com\/old-hooks/);
  assert.deepEqual(said(checkHook(github, [hook({ active: false })])), ["problem: hook 7 is not active: the forge sends it nothing"]);
  assert.deepEqual(said(checkHook(github, [hook({ contentType: "form" })])), ["problem: hook 7 sends form bodies (application/x-www-form-urlencoded), not JSON"]);
  assert.deepEqual(said(checkHook(github, [hook({ events: ["push"] })])), ["problem: hook 7 does not send pull_request (needed by the pull_request jobs)"]);
  assert.deepEqual(said(checkHook(github, [hook({ sslVerification: false })])),
    ["warning: hook 7 does not verify the service's TLS certificate: anyone in between could read and change deliveries"]);
  assert.match(said(checkHook(github, [hook({ url: `${URL}/github` })]))[0]!,
    /^warning: hook 7 points at https:\/\/ci\.example\.com\/hooks\/github, which the service takes, but repo add and catch-up look for/);
});

test("Gitea and Forgejo: pull requests need pull_request_sync too; Gogs has none", () => {
  const gitea: HookCheck = { ...github, forge: "gitea", dialect: giteaWebhookDialect("gitea") };
  assert.deepEqual(said(checkHook(gitea, [hook()])), ["problem: hook 7 does not send pull_request_sync (needed by the pull_request jobs)"]);
  assert.deepEqual(checkHook({ ...gitea, forge: "forgejo" }, [hook({ events: ["push", "pull_request", "pull_request_sync"] })]), []);
  // Gogs has no pull_request_sync: its pull_request event carries new commits too.
  assert.deepEqual(checkHook({ ...gitea, forge: "gogs", dialect: giteaWebhookDialect("gogs") }, [hook()]), []);
});

test("GitLab: its event flags, and a hook GitLab disabled after failures", () => {
  const gitlab: HookCheck = { ...github, forge: "gitlab", needs: ["push", "tag"], dialect: gitLabWebhookDialect };
  assert.deepEqual(checkHook(gitlab, [hook({ events: ["push_events", "tag_push_events"] })]), []);
  assert.deepEqual(said(checkHook(gitlab, [hook({ events: ["push_events"] })])), ["problem: hook 7 does not send tag_push_events (needed by the tag jobs)"]);
  assert.match(said(checkHook(gitlab, [hook({ active: false, events: ["push_events", "tag_push_events"], disabledBecause: "GitLab disabled it (temporarily_disabled until 2026-12-06T05:00:00Z)" })]))[0]!,
    /^problem: hook 7 is off: GitLab disabled it \(temporarily_disabled until 2026-12-06T05:00:00Z\); pushes meanwhile are not sent$/);
});

test("the last delivery: a failure or no answer is a problem, a 2xx nothing", () => {
  assert.deepEqual(checkLastDelivery(github, 7, { at: "2026-12-06T04:00:00Z", event: "push", status: 202, message: "OK" }), []);
  assert.deepEqual(checkLastDelivery(github, 7, undefined), []);
  assert.match(checkLastDelivery(github, 7, { at: "2026-12-06T04:00:00Z", event: "push", status: 401, message: "Unauthorized" })[0]!.message,
    /^the last delivery to hook 7 \(push, 2026-12-06T04:00:00Z\) was answered 401 \(Unauthorized\)$/);
  assert.match(checkLastDelivery(github, 7, { at: "2026-12-06T04:00:00Z", event: "push", status: 0, message: "failed to connect to host" })[0]!.message,
    /got no answer \(failed to connect to host\)$/);
});
