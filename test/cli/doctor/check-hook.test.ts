// The hook decisions, row by row, from hook objects as each forge's API returns them.

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkHook, checkLastDelivery, type HookCheck } from "../../../src/cli/doctor/check-hook.ts";
import { readGitHubHook, readGiteaHook, readGitLabHook, type RawGitHubHook, type RawGitLabHook } from "../../../src/cli/doctor/forge-hook.ts";

const URL = "https://ci.example.com/hooks";
const github: HookCheck = { forge: "github", repo: "acme/app", publicUrl: URL, needs: ["push", "pull_request"] };

/** GitHub's answer to GET /repos/{o}/{r}/hooks, one item (docs.github.com/rest/repos/webhooks). */
function gitHubHook(changes: Partial<RawGitHubHook> & { config?: Partial<RawGitHubHook["config"]> } = {}): RawGitHubHook {
  return {
    id: 7, active: true, events: ["push", "pull_request"], ...changes,
    config: { url: URL, content_type: "json", insecure_ssl: "0", ...changes.config },
  };
}

/** The findings' severity and the start of each message, enough to tell them apart. */
function said(findings: ReturnType<typeof checkHook>): string[] {
  return findings.map((finding) => `${finding.severity}: ${finding.message}`);
}

test("a GitHub hook at our URL, active, JSON, with the events: nothing to say", () => {
  assert.deepEqual(checkHook(github, [readGitHubHook(gitHubHook())]), []);
  // `*` is every event; other services' hooks beside ours are left alone.
  assert.deepEqual(checkHook(github, [readGitHubHook(gitHubHook({ id: 1, config: { url: "https://other.example.com/x" } })), readGitHubHook(gitHubHook({ events: ["*"] }))]), []);
});

test("each way a GitHub hook is wrong is named", () => {
  assert.match(said(checkHook(github, []))[0]!, /^problem: no hook points at https:\/\/ci\.example\.com\/hooks: pushes are never sent/);
  assert.match(said(checkHook(github, [readGitHubHook(gitHubHook({ config: { url: "https://ci.example.com/old-hooks" } }))]))[0]!,
    /^problem: no hook points at https:\/\/ci\.example\.com\/hooks; hook 7 points at https:\/\/ci\.example\.com\/old-hooks/);
  assert.deepEqual(said(checkHook(github, [readGitHubHook(gitHubHook({ active: false }))])), ["problem: hook 7 is not active: the forge sends it nothing"]);
  assert.deepEqual(said(checkHook(github, [readGitHubHook(gitHubHook({ config: { content_type: "form" } }))])),
    ["problem: hook 7 sends form bodies (application/x-www-form-urlencoded), not JSON"]);
  // GitHub's default content type is form: a hook created without one sends form bodies.
  const noType = gitHubHook();
  delete noType.config.content_type;
  assert.match(said(checkHook(github, [readGitHubHook(noType)]))[0]!, /form bodies/);
  assert.deepEqual(said(checkHook(github, [readGitHubHook(gitHubHook({ events: ["push"] }))])),
    ["problem: hook 7 does not send pull_request (needed by the pull_request jobs)"]);
  assert.deepEqual(said(checkHook(github, [readGitHubHook(gitHubHook({ config: { insecure_ssl: "1" } }))])),
    ["warning: hook 7 does not verify the service's TLS certificate: anyone in between could read and change deliveries"]);
  assert.match(said(checkHook(github, [readGitHubHook(gitHubHook({ config: { url: `${URL}/github` } }))]))[0]!,
    /^warning: hook 7 points at https:\/\/ci\.example\.com\/hooks\/github, which the service takes, but repo add and catch-up look for/);
});

test("Gitea: pull requests need pull_request_sync too, and a branch filter is called out", () => {
  const gitea: HookCheck = { ...github, forge: "gitea" };
  const raw = { id: 3, type: "gitea", active: true, events: ["push", "pull_request"], branch_filter: "main", config: { url: URL, content_type: "json" } };
  assert.deepEqual(said(checkHook(gitea, [readGiteaHook(raw)])), [
    "problem: hook 3 does not send pull_request_sync (needed by the pull_request jobs)",
    "warning: hook 3 only sends pushes to branches matching \"main\": pushes to others never reach the jobs' branch filters",
  ]);
  assert.deepEqual(checkHook({ ...gitea, forge: "forgejo" }, [readGiteaHook({ ...raw, events: ["push", "pull_request", "pull_request_sync"], branch_filter: "*" })]), []);
  // Gitea's `active` defaults to false when a hook is created through the API (reference/forges.md).
  assert.match(said(checkHook(gitea, [readGiteaHook({ ...raw, active: false, branch_filter: "" , events: ["push", "pull_request", "pull_request_sync"] })]))[0]!, /^problem: hook 3 is not active/);
  assert.match(said(checkHook(gitea, [readGiteaHook({ ...raw, config: { url: URL, content_type: "form" }, branch_filter: "", events: ["push", "pull_request", "pull_request_sync"] })]))[0]!, /^problem: hook 3 sends form bodies/);
});

test("GitLab: a hook GitLab disabled after failures is called out, with until when", () => {
  const gitlab: HookCheck = { ...github, forge: "gitlab", needs: ["push", "tag"] };
  const raw: RawGitLabHook = {
    id: 9, url: URL, push_events: true, tag_push_events: true, merge_requests_events: false, enable_ssl_verification: true,
    alert_status: "executable", disabled_until: null,
  };
  assert.deepEqual(checkHook(gitlab, [readGitLabHook(raw)]), []);
  assert.deepEqual(said(checkHook(gitlab, [readGitLabHook({ ...raw, alert_status: "temporarily_disabled", disabled_until: "2026-12-06T05:00:00.000Z" })])),
    ["problem: GitLab disabled hook 9 after failed deliveries until 2026-12-06T05:00:00.000Z: pushes meanwhile are not sent"]);
  assert.deepEqual(said(checkHook(gitlab, [readGitLabHook({ ...raw, alert_status: "disabled" })])),
    ["problem: GitLab disabled hook 9 after failed deliveries until someone re-enables it: pushes meanwhile are not sent"]);
  assert.deepEqual(said(checkHook({ ...gitlab, needs: ["pull_request"] }, [readGitLabHook(raw)])),
    ["problem: hook 9 does not send merge_requests_events (needed by the pull_request jobs)"]);
  assert.match(said(checkHook(gitlab, [readGitLabHook({ ...raw, enable_ssl_verification: false })]))[0]!, /^warning: hook 9 does not verify/);
});

test("the last delivery: a failure or no answer is a problem, a 2xx nothing", () => {
  assert.deepEqual(checkLastDelivery(github, 7, { at: "2026-12-06T04:00:00Z", event: "push", status: 202, message: "OK" }), []);
  assert.deepEqual(checkLastDelivery(github, 7, undefined), []);
  assert.match(checkLastDelivery(github, 7, { at: "2026-12-06T04:00:00Z", event: "push", status: 401, message: "Unauthorized" })[0]!.message,
    /^the last delivery to hook 7 \(push, 2026-12-06T04:00:00Z\) was answered 401 \(Unauthorized\)$/);
  assert.match(checkLastDelivery(github, 7, { at: "2026-12-06T04:00:00Z", event: "push", status: 0, message: "failed to connect to host" })[0]!.message,
    /got no answer \(failed to connect to host\)$/);
});
