// Commit statuses through the running service: a signed push, the real journal and dispatcher, the
// fake laminarc queueing on the fake laminard, the follower on its event stream, and the status
// posts arriving at the fake GitHub (checked against GitHub's OpenAPI description) or GitLab.

import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";
import { startFakeGitHubApi, type FakeGitHubApi, type GitHubStatus } from "../fixtures/fake-github-api.ts";
import { startFakeGitLabApi, type FakeGitLabApi } from "../fixtures/fake-gitlab-api.ts";
import { payload } from "../support/payloads.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders, gitlabHeaders, startTestService, type TestService } from "../support/test-service.ts";

const TOKEN = "ghp_e2e-status-token";
const BASE_URL = "https://ci.example.com";
const push5 = payload("github/push-5.json");
const PUSH5_SHA = "199eddf46df50de8d02e99bf1c5fdb4101338224";

function githubConfig(api: string, jobs = "[{ job: hello, events: [push] }]"): string {
  return `
forges:
  github: { secret: topsecret, token: { env: GITHUB_TOKEN }, api: ${api} }
status:
  context: "ci/{{ job }}"
repositories:
  - repo: Codertocat/Hello-World
    jobs: ${jobs}
`;
}

interface Setup {
  svc: TestService;
  laminard: FakeLaminard;
  github: FakeGitHubApi;
}

async function startWithGitHub(t: TestContext, options: { jobs?: string; knownJobs?: string[] } = {}): Promise<Setup> {
  const laminard = await FakeLaminard.start({ keepAliveMs: 100, ...(options.knownJobs ? { jobs: options.knownJobs } : {}) });
  const github = await startFakeGitHubApi({ token: TOKEN });
  const svc = await startTestService({
    config: githubConfig(github.url, options.jobs),
    laminar: `  http: ${laminard.url}\n  base_url: ${BASE_URL}\n  requeue_lost: 2\n`,
    env: { FAKE_LAMINARD: laminard.controlUrl, GITHUB_TOKEN: TOKEN },
    follow: { backoff: { delayMs: 40, maxDelayMs: 300 }, recheckMs: 100 },
  });
  t.after(async () => {
    await svc.stop();
    await laminard.close();
    await github.close();
  });
  await waitFor(() => svc.service.follower.connected, 5000, "the event stream to connect");
  return { svc, laminard, github };
}

let deliveries = 0;
/** push-5.json with its head commit replaced by `sha` (so each push is a commit of its own), signed. */
async function pushCommit(svc: TestService, sha = PUSH5_SHA): Promise<void> {
  deliveries += 1;
  const body = Buffer.from(push5.toString("utf8").replaceAll(PUSH5_SHA, sha));
  const answer = await svc.post("/hooks", body, githubHeaders("push", `e2e-status-${process.pid}-${deliveries}`, githubSignature("topsecret", body)));
  assert.equal(answer.status, 202, answer.body.message);
}

/** The statuses of one commit, as the forge shows them: state, context, description, link. */
function statusesOf(github: FakeGitHubApi, sha: string): GitHubStatus[] {
  return github.statuses.filter((status) => status.sha === sha);
}

function waitForStatus(github: FakeGitHubApi, what: string, check: (status: GitHubStatus) => boolean, timeoutMs = 15_000): Promise<GitHubStatus> {
  return waitFor(() => github.statuses.find(check), timeoutMs, what);
}

async function runToResult(result: "success" | "failed" | "aborted", expected: string, t: TestContext): Promise<void> {
  const { svc, laminard, github } = await startWithGitHub(t);
  await pushCommit(svc);
  await waitFor(() => laminard.queued.length === 1 || undefined, 10_000, "hello:1 queued in laminard");
  // The pending status of the queued run reaches the forge before the run ends.
  await waitForStatus(github, "pending for hello:1", (status) => status.state === "pending");
  laminard.completeRun("hello", 1, result);
  await waitForStatus(github, `${expected} for hello:1`, (status) => status.state === expected);
  await waitFor(() => svc.service.statusReporter.outbox.waitingCount() === 0 || undefined, 5000, "the outbox to empty");
  const statuses = statusesOf(github, PUSH5_SHA);
  assert.equal(statuses[0]?.state, "pending");
  assert.equal(statuses.at(-1)?.state, expected);
  for (const status of statuses) {
    assert.equal(status.repo, "Codertocat/Hello-World");
    assert.equal(status.context, "ci/hello");
    assert.equal(status.target_url, `${BASE_URL}/jobs/hello/1`);
    assert.ok((status.description ?? "").length <= 140);
  }
  assert.match(statuses.at(-1)?.description ?? "", /^Laminar run #1 /);
  assert.deepEqual(github.problems, []);
}

test("a push whose run succeeds ends with pending then success on GitHub, linking the run, in the configured context", async (t) => {
  await runToResult("success", "success", t);
});

test("a failed run ends in failure on GitHub", async (t) => {
  await runToResult("failed", "failure", t);
});

test("an aborted run ends in error on GitHub", async (t) => {
  await runToResult("aborted", "error", t);
});

test("on GitLab a run goes pending, running, then canceled when aborted", async (t) => {
  const laminard = await FakeLaminard.start({ keepAliveMs: 100 });
  const gitlab: FakeGitLabApi = await startFakeGitLabApi({ token: "glpat-e2e" });
  const secret = "glsecret-e2e";
  const svc = await startTestService({
    config: `
forges:
  gitlab: { secret: ${secret}, token: { env: GITLAB_TOKEN }, api: ${gitlab.url} }
repositories:
  - repo: gitlab-org/hello-world
    jobs: [{ job: hello, events: [push] }]
`,
    laminar: `  http: ${laminard.url}\n  base_url: ${BASE_URL}\n`,
    env: { FAKE_LAMINARD: laminard.controlUrl, GITLAB_TOKEN: "glpat-e2e" },
    follow: { backoff: { delayMs: 40, maxDelayMs: 300 }, recheckMs: 100 },
  });
  t.after(async () => {
    await svc.stop();
    await laminard.close();
    await gitlab.close();
  });
  await waitFor(() => svc.service.follower.connected, 5000, "the event stream to connect");
  const answer = await svc.post("/hooks", payload("gitlab/push-2.json"), gitlabHeaders("Push Hook", `e2e-gitlab-${process.pid}`, { token: secret }));
  assert.equal(answer.status, 202, answer.body.message);
  const states = () => gitlab.statuses.map((status) => status.state);
  await waitFor(() => states().includes("pending") || undefined, 15_000, "pending on GitLab");
  laminard.startRun("hello", 1);
  await waitFor(() => states().includes("running") || undefined, 15_000, `running on GitLab (now ${states().join(", ")})`);
  laminard.completeRun("hello", 1, "aborted");
  await waitFor(() => states().includes("canceled") || undefined, 15_000, `canceled on GitLab (now ${states().join(", ")})`);
  assert.deepEqual(states(), ["pending", "running", "canceled"]);
  for (const status of gitlab.statuses) {
    assert.equal(status.project, "gitlab-org/hello-world");
    assert.equal(status.sha, "2adc9465c4edfc33834e173fe89436a7cb899a1d");
    assert.equal(status.name, "laminar/hello");
    assert.equal(status.ref, "master");
    assert.equal(status.target_url, `${BASE_URL}/jobs/hello/1`);
  }
  assert.deepEqual(gitlab.problems, []);
});

test("laminard restarted with 3 runs queued: 3 new runs, and each commit's last status names its new run and its result", async (t) => {
  const { svc, laminard, github } = await startWithGitHub(t);
  const shas = ["1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222", "3333333333333333333333333333333333333333"];
  for (const sha of shas) await pushCommit(svc, sha);
  await waitFor(() => laminard.queued.length === 3 || undefined, 10_000, "3 runs queued in laminard");
  // Each commit's pending status names its first run before laminard loses them.
  for (const sha of shas) await waitForStatus(github, `pending on ${sha.slice(0, 7)}`, (status) => status.sha === sha);
  await laminard.restart();
  await waitFor(() => laminard.queued.length === 3 || undefined, 15_000, "the 3 lost runs queued again");
  const newRuns = laminard.queued.map((run) => run.number).sort();
  assert.deepEqual(newRuns, [4, 5, 6]);
  for (const number of newRuns) laminard.completeRun("hello", number, "success");
  for (const sha of shas) {
    await waitForStatus(github, `success on ${sha.slice(0, 7)}`, (status) => status.sha === sha && status.state === "success");
  }
  await waitFor(() => svc.service.statusReporter.outbox.waitingCount() === 0 || undefined, 5000, "the outbox to empty");
  const lastRuns = shas.map((sha) => {
    const last = statusesOf(github, sha).at(-1);
    assert.equal(last?.state, "success");
    assert.equal(last?.context, "ci/hello");
    return last?.target_url;
  });
  // The three new runs, one per commit, whatever order laminarc queued them in.
  assert.deepEqual([...lastRuns].sort(), newRuns.map((number) => `${BASE_URL}/jobs/hello/${number}`));
  // Nothing was run twice: 3 first runs, 3 new ones.
  assert.equal(laminard.queueCalls.length, 6);
  assert.deepEqual(github.problems, []);
});

test("a running run aborted by a laminard restart: pending, then its new run's statuses, success last, never an error", async (t) => {
  const { svc, laminard, github } = await startWithGitHub(t);
  const sha = "4444444444444444444444444444444444444444";
  await pushCommit(svc, sha);
  await waitFor(() => laminard.queued.length === 1 || undefined, 10_000, "hello:1 queued in laminard");
  laminard.startRun("hello", 1);
  await waitForStatus(github, "running for hello:1", (status) => status.sha === sha && /is running/.test(status.description ?? ""));
  await laminard.restart();
  assert.equal(laminard.run("hello", 1)?.result, "aborted");
  await waitFor(() => laminard.queued.length === 1 || undefined, 15_000, "the aborted run queued again");
  assert.equal(laminard.queued[0]?.number, 2);
  laminard.completeRun("hello", 2, "success");
  await waitForStatus(github, "success for hello:2", (status) => status.sha === sha && status.state === "success");
  await waitFor(() => svc.service.statusReporter.outbox.waitingCount() === 0 || undefined, 5000, "the outbox to empty");
  const seen = statusesOf(github, sha);
  assert.equal(seen.some((status) => status.state === "error"), false, JSON.stringify(seen.map((status) => status.description)));
  assert.equal(seen.at(-1)?.state, "success");
  assert.equal(seen.at(-1)?.target_url, `${BASE_URL}/jobs/hello/2`);
  assert.ok(seen.some((status) => status.state === "pending" && /hello:1 was aborted by a laminard restart/.test(status.description ?? "")));
  assert.equal(laminard.queueCalls.length, 2);
  assert.deepEqual(github.problems, []);
});

test("a job laminarc cannot queue gets an error status that gives the reason", async (t) => {
  const { svc, github } = await startWithGitHub(t, {
    jobs: "[{ job: hello, events: [push] }, { job: no-such-job, events: [push] }]",
    knownJobs: ["hello"],
  });
  await pushCommit(svc);
  const error = await waitForStatus(github, "error for no-such-job", (status) => status.context === "ci/no-such-job");
  assert.equal(error.state, "error");
  assert.equal(error.target_url, null);
  assert.match(error.description ?? "", /^Laminar job no-such-job could not be queued: .*no-such-job/);
  assert.ok((error.description ?? "").length <= 140);
  // The job that exists is not held up by the one that does not.
  await waitForStatus(github, "pending for hello", (status) => status.context === "ci/hello" && status.state === "pending");
  assert.deepEqual(github.problems, []);
});
