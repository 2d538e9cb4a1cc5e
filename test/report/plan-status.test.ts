import assert from "node:assert/strict";
import { test } from "node:test";
import type { DispatchFacts } from "../../src/journal/status-outbox.ts";
import type { RunState } from "../../src/journal/run-state.ts";
import { planStatus } from "../../src/report/plan-status.ts";
import type { ForgeName } from "../../src/types.ts";
import { configFrom, forgeConfig, SHA } from "./report-kit.ts";

const facts = (forge: ForgeName, fields: Partial<DispatchFacts> = {}): DispatchFacts => ({
  deliveryId: 1,
  job: "wiki",
  params: { rev: SHA, branch: "master" },
  forge,
  repo: "sbrl/wiki",
  event: "push",
  ...fields,
});
const env = { FORGE_TOKEN: "t0ken" };

test("a queued run on GitHub: pending, the context from status.context, a link to the run", () => {
  const config = configFrom(forgeConfig("github", "https://api.github.com"), env);
  const post = planStatus({ dispatchId: 7, job: "wiki", runNumber: 42, state: "queued", at: 0 }, facts("github"), config);
  assert.deepEqual(post, {
    dispatchId: 7,
    forge: "github",
    repo: "sbrl/wiki",
    sha: SHA,
    context: "laminar/wiki",
    ref: "master",
    job: "wiki",
    runNumber: 42,
    runState: "queued",
    state: "pending",
    description: "Laminar run #42 is queued",
    targetUrl: "https://ci.example.com/jobs/wiki/42",
  });
});

test("states per forge: GitHub, Gitea and Forgejo share words; GitLab has running and canceled", () => {
  const states: RunState[] = ["queued", "running", "success", "failed", "aborted", "error", "lost"];
  const expected: Record<string, string[]> = {
    github: ["pending", "pending", "success", "failure", "error", "error", "pending"],
    gitea: ["pending", "pending", "success", "failure", "error", "error", "pending"],
    forgejo: ["pending", "pending", "success", "failure", "error", "error", "pending"],
    gitlab: ["pending", "running", "success", "failed", "canceled", "failed", "pending"],
  };
  for (const [forge, words] of Object.entries(expected)) {
    const config = configFrom(forgeConfig(forge as ForgeName, "https://git.example.com/api"), env);
    const got = states.map((state) => planStatus({ dispatchId: 1, job: "wiki", runNumber: 3, state, at: 0 }, facts(forge as ForgeName), config)?.state);
    assert.deepEqual(got, words, forge);
  }
});

test("status.context is a template over job, event, forge and repo", () => {
  const yaml = `${forgeConfig("gitea", "https://git.example.com/api/v1")}status:\n  context: "ci/{{ forge }}/{{ repo }}/{{ event }}/{{ job }}"\n`;
  const post = planStatus({ dispatchId: 1, job: "wiki", runNumber: 1, state: "running", at: 0 }, facts("gitea", { event: "pull_request" }), configFrom(yaml, env));
  assert.equal(post?.context, "ci/gitea/sbrl/wiki/pull_request/wiki");
});

test("could not be queued: error, with laminarc's message and no link", () => {
  const config = configFrom(forgeConfig("github", "https://api.github.com"), env);
  const post = planStatus({ dispatchId: 1, job: "wiki", state: "error", at: 0, reason: "Laminar does not know job \"wiki\"" }, facts("github"), config);
  assert.equal(post?.state, "error");
  assert.equal(post?.targetUrl, undefined);
  assert.equal(post?.description, 'Laminar job wiki could not be queued: Laminar does not know job "wiki"');
});

test("nothing is planned without a token, with status: false, for Gogs, or without a commit", () => {
  const change = { dispatchId: 1, job: "wiki", runNumber: 1, state: "queued", at: 0 } as const;
  const noToken = configFrom(forgeConfig("github", "https://api.github.com").replace("    token: { env: FORGE_TOKEN }\n", ""));
  assert.equal(planStatus(change, facts("github"), noToken), undefined);
  const off = configFrom(forgeConfig("github", "https://api.github.com", "    status: false\n"), env);
  assert.equal(planStatus(change, facts("github"), off), undefined);
  const gogs = configFrom(`forges:\n  gogs: { secret: s3cret }\nrepositories:\n  - repo: sbrl/wiki\n    jobs: [{ job: wiki }]\n`);
  assert.equal(planStatus(change, facts("gogs"), gogs), undefined);
  const github = configFrom(forgeConfig("github", "https://api.github.com"), env);
  assert.equal(planStatus(change, facts("github", { params: { branch: "master" } }), github), undefined);
  // The repository says forge: github; a Gitea delivery of the same name is not its.
  assert.equal(planStatus(change, facts("gitea"), github), undefined);
});

test("a repository's own token is used where the forge has none", () => {
  const yaml = `
forges:
  gitlab: { secret: s3cret, api: "https://gitlab.example.com/api/v4" }
repositories:
  - repo: sbrl/wiki
    forge: gitlab
    token: { env: WIKI_TOKEN }
    jobs: [{ job: wiki }]
`;
  const config = configFrom(yaml, { WIKI_TOKEN: "repo-token" });
  const post = planStatus({ dispatchId: 1, job: "wiki", runNumber: 1, state: "success", at: 0, durationMs: 1000 }, facts("gitlab"), config);
  assert.equal(post?.state, "success");
  // No laminar.base_url nor laminar.http: no link.
  assert.equal(post?.targetUrl, undefined);
});

test("a run a newer push superseded: its description says by which commit, in the state each forge shows best", () => {
  const expected: Record<string, string> = { github: "error", gitea: "warning", forgejo: "warning", gitlab: "canceled" };
  for (const [forge, state] of Object.entries(expected) as [ForgeName, string][]) {
    const api = forge === "github" ? "https://api.github.com" : forge === "gitlab" ? "https://git.example.com/api/v4" : "https://git.example.com/api/v1";
    const config = configFrom(forgeConfig(forge, api), env);
    const superseded = facts(forge, { supersededBy: "3333333333333333333333333333333333333333" });
    const aborted = planStatus({ dispatchId: 7, job: "wiki", runNumber: 42, state: "aborted", at: 0, durationMs: 1200 }, superseded, config);
    assert.equal(aborted?.state, state, forge);
    assert.equal(aborted?.description, "Superseded by 3333333: Laminar run #42 was aborted after 1.2s");
    // Only the abort says so: its queued status is any run's.
    const queued = planStatus({ dispatchId: 7, job: "wiki", runNumber: 42, state: "queued", at: 0 }, superseded, config);
    assert.equal(queued?.description, "Laminar run #42 is queued");
  }
});
