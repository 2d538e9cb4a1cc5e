// `laminar-hooks doctor` as a user runs it: a real CLI process against a planted set-up where each
// problem is present, and against a healthy one. laminarc is the fake of test/fixtures (its
// show-jobs reads the Laminar home as laminard does), laminard's stream the fake laminard, the
// service the real one behind a real reverse proxy.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createFakeLaminar, FAKE_LAMINARC, type FakeLaminar } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";
import { startFakeGitHubApi, type FakeGitHubApi } from "../fixtures/fake-github-api.ts";
import { startFakeGitLabApi, type FakeGitLabApi } from "../fixtures/fake-gitlab-api.ts";
import { startFakeGiteaApi, type FakeGiteaApi } from "../fixtures/fake-gitea-api.ts";
import { main } from "../../src/cli/main.ts";
import { anotherPush, payload } from "../support/payloads.ts";
import { runCli } from "../support/run-cli.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders, startTestService, type TestService } from "../support/test-service.ts";

/** A Laminar home: cfg/jobs/JOB.run for `jobs`, and env files by path. */
function plantHome(dir: string, jobs: readonly string[], envFiles: Record<string, string> = {}): string {
  const home = join(dir, "laminar-home");
  mkdirSync(join(home, "cfg", "jobs"), { recursive: true });
  mkdirSync(join(home, "cfg", "contexts"), { recursive: true });
  for (const job of jobs) writeFileSync(join(home, "cfg", "jobs", `${job}.run`), "#!/bin/sh\necho building\n", { mode: 0o755 });
  for (const [path, text] of Object.entries(envFiles)) writeFileSync(join(home, path), text);
  return home;
}

/** nginx in miniature: forwards every request to a unix socket; 502 when nothing listens there. */
async function startProxy(socketPath: () => string): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const upstream = request({ socketPath: socketPath(), path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html><body>502 Bad Gateway</body></html>\n");
    });
    req.pipe(upstream);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server, sockets) };
}

/** A laminar.http that accepts connections and never answers (a frozen laminard, a wrong port). */
async function startSilentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer(() => {});
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server, sockets) };
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A repository with two jobs: one on pushes and pull requests with a parameter of its own, one on tags. */
const ACME_APP = `  - repo: acme/app
    forge: github
    jobs:
      - job: app
        events: [push, pull_request]
        params: { channel: nightly }
      - job: deploy
        events: [tag]
`;

const REPOSITORIES = `
forges:
  github: { secret: topsecret }
repositories:
${ACME_APP}`;

/** Fake APIs of the three forges doctor asks, each taking its own token. */
interface Forges {
  github: FakeGitHubApi;
  gitlab: FakeGitLabApi;
  gitea: FakeGiteaApi;
}

async function startForges(): Promise<Forges> {
  return { github: await startFakeGitHubApi({ token: "gh-token" }), gitlab: await startFakeGitLabApi({ token: "gl-token" }), gitea: await startFakeGiteaApi({ token: "gt-token" }) };
}

async function closeForges(forges: Forges): Promise<void> {
  await Promise.all([forges.github.close(), forges.gitlab.close(), forges.gitea.close()]);
}

/** acme/app as REPOSITORIES has it, a GitLab and a Gitea repository, tokens for the fake APIs; `more` repositories after them. */
function withForges({ github, gitlab, gitea }: Forges, more = ""): string {
  return `
forges:
  github: { secret: topsecret, token: gh-token, api: ${github.url} }
  gitlab: { secret: glsecret, token: gl-token, api: ${gitlab.url} }
  gitea: { secret: gtsecret, token: gt-token, api: ${gitea.url} }
  gogs: { secret: gogssecret }
repositories:
${ACME_APP}  - repo: group/app
    forge: gitlab
    jobs: [{ job: app, events: [push, tag] }]
  - repo: team/app
    forge: gitea
    jobs: [{ job: app, events: [push, pull_request] }]
${more}`;
}

/** A push GitLab logged for a hook, with the headers GitLab 17.4+ sends. */
function gitLabPush(responseStatus: string) {
  return { trigger: "push_hooks", request_headers: { "X-Gitlab-Event": "Push Hook", "Idempotency-Key": "5d5b7c0e-0a6b-4c4e-9b64-1b7c4f1e9a01" }, request_data: {}, response_status: responseStatus };
}

/** Each finding line of doctor's output, without the summary. */
function findingLines(stdout: string): string[] {
  return stdout.split("\n").filter((line) => /^(problem|warning|note) /.test(line));
}

test("a healthy set-up: nothing to report, exit 0", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lh-doctor-ok-"));
  const laminard = await FakeLaminard.start();
  let socket = "";
  const proxy = await startProxy(() => socket);
  // A comment line and a variable no parameter uses: nothing to warn about.
  const home = plantHome(dir, ["app", "deploy"], { "cfg/env": "#rev=commented out\nLANG=C.UTF-8\n", "cfg/jobs/app.env": "CC=clang\n" });
  const forges = await startForges();
  const { github, gitlab, gitea } = forges;
  const publicUrl = `${proxy.url}/hooks`;
  github.hooks.addHook("acme/app", { id: 1, url: "https://other.example.com/jenkins", active: true });
  github.hooks.addHook("acme/app", { id: 2, url: publicUrl, active: true, events: ["push", "pull_request"] });
  github.hooks.addDelivery("acme/app", 2, { guid: "d-1", deliveredAt: new Date().toISOString(), status: "OK", statusCode: 202, event: "push" });
  gitlab.hooks.addProject("group/app");
  gitlab.hooks.addHook("group/app", { id: 5, url: publicUrl });
  gitlab.hooks.addEvent("group/app", 5, gitLabPush("200"));
  gitea.hooks.addRepository("team/app");
  gitea.hooks.addHook("team/app", { type: "gitea", url: publicUrl, contentType: "json", active: true, events: ["push", "pull_request", "pull_request_sync"], branchFilter: "*" });
  const service = await startTestService({
    config: `${withForges(forges)}\ncatch_up: { interval: 0 }\n`,
    listen: "unix:{dir}/hooks.sock",
    server: `  public_url: ${publicUrl}\n`,
    laminar: `  http: ${laminard.url}\n  home: ${JSON.stringify(home)}\n`,
  });
  socket = join(service.dir, "hooks.sock");
  service.fake.setHome(home);
  try {
    const result = await runCli(["doctor", "--config", service.configFile, "--timeout", "20s"], service.fake.env);
    assert.equal(result.stderr, "");
    // Gitea's API has no delivery log: the one thing doctor could not check, said as a note.
    assert.deepEqual(findingLines(result.stdout), [
      "note    gitea team/app hook: gitea's API does not show a hook's deliveries: the last one was not checked → see Recent Deliveries on the hook's settings page",
    ]);
    assert.match(result.stdout, /^doctor: no problem found$/m);
    assert.equal(result.code, 0);
    // doctor asked laminard for its jobs, where the service queues them.
    const calls = service.fake.calls();
    assert.deepEqual(calls.map((call) => [call.argv, call.env.LAMINAR_HOST]), [[["show-jobs"], "unix-abstract:test-laminar"]]);
    // Only reads: each forge was asked for the hooks and the last deliveries, and nothing else.
    assert.deepEqual(github.requests.map((r) => `${r.method} ${r.rawPath}`), ["GET /repos/acme/app/hooks", "GET /repos/acme/app/hooks/2/deliveries"]);
    assert.deepEqual(gitlab.requests.map((r) => `${r.method} ${r.rawPath}`), ["GET /api/v4/projects/group%2Fapp/hooks", "GET /api/v4/projects/group%2Fapp/hooks/5/events"]);
    assert.deepEqual(gitea.requests.map((r) => `${r.method} ${r.rawPath}`), ["GET /api/v1/repos/team/app/hooks"]);
    assert.deepEqual([...github.problems, ...gitlab.problems, ...gitea.problems], []);
  } finally {
    await service.stop();
    await closeForges(forges);
    await proxy.close();
    await laminard.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a planted set-up: doctor names every problem with what to do, and exits 1", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lh-doctor-bad-"));
  const fake: FakeLaminar = createFakeLaminar({ mode: "refused" });
  const silent = await startSilentServer();
  // The proxy's backend socket does not exist: the service is not running.
  const proxy = await startProxy(() => join(dir, "hooks.sock"));
  const home = plantHome(dir, ["app"], {
    "cfg/jobs/app.env": "channel=stable\nrev=HEAD\n",
    "cfg/contexts/big.env": "branch=main\n",
  });
  const publicUrl = `${proxy.url}/hooks`;
  const forges = await startForges();
  const { github, gitlab, gitea } = forges;
  // acme/app: its hook lacks pull_request, and the last delivery got a 502.
  github.hooks.addHook("acme/app", { id: 2, url: publicUrl, active: true, events: ["push"] });
  github.hooks.addDelivery("acme/app", 2, { guid: "d-1", deliveredAt: "2026-12-05T10:00:00Z", status: "OK", statusCode: 202, event: "push" });
  github.hooks.addDelivery("acme/app", 2, { guid: "d-2", deliveredAt: "2026-12-05T11:00:00Z", status: "Invalid HTTP Response: 502", statusCode: 502, event: "push" });
  // Another service's hook only: ours is missing.
  github.hooks.addHook("acme/missing", { id: 3, url: "https://other.example.com/jenkins", active: true });
  github.hooks.addHook("acme/inactive", { id: 4, url: publicUrl, active: false, events: ["push"] });
  github.hooks.addHook("acme/elsewhere", { id: 5, url: `${proxy.url}/old-hooks`, active: true, events: ["push"] });
  github.hooks.addHook("acme/form", { id: 6, url: publicUrl, active: true, events: ["push"], contentType: "form" });
  github.hooks.addHook("acme/private", { id: 7, url: publicUrl, active: true, events: ["push"] });
  gitlab.hooks.addProject("group/app");
  gitlab.hooks.addHook("group/app", { id: 9, url: publicUrl, alertStatus: "temporarily_disabled" });
  // Gitea: "Pull Request" ticked but not "Pull Request Synchronized".
  gitea.hooks.addRepository("team/app");
  gitea.hooks.addHook("team/app", { id: 11, type: "gitea", url: publicUrl, contentType: "json", active: true, events: ["push", "pull_request"], branchFilter: "*" });
  // Gitea: a branch filter that leaves out one of the branches the job builds.
  gitea.hooks.addRepository("team/site");
  gitea.hooks.addHook("team/site", { id: 12, type: "gitea", url: publicUrl, contentType: "json", active: true, events: ["push"], branchFilter: "main" });
  const pushOnly = (repo: string, extra = "") => `  - repo: ${repo}\n    forge: github\n${extra}    jobs: [{ job: app }]\n`;
  const more = ["acme/missing", "acme/inactive", "acme/elsewhere", "acme/form"].map((repo) => pushOnly(repo)).join("")
    + pushOnly("acme/private", "    token: not-the-token\n")
    + "  - repo: someone/old\n    forge: gogs\n    jobs: [{ job: app }]\n"
    + "  - repo: team/site\n    forge: gitea\n    jobs: [{ job: app, branches: [main, \"release/*\"] }]\n";
  const configFile = join(dir, "config.yml");
  writeFileSync(configFile, `
server:
  listen: ${JSON.stringify(`unix:${join(dir, "hooks.sock")}`)}
  public_url: ${publicUrl}
laminar:
  laminarc: ${JSON.stringify(FAKE_LAMINARC)}
  host: unix-abstract:test-laminar
  http: ${silent.url}
  home: ${JSON.stringify(home)}
journal: { path: ${JSON.stringify(join(dir, "journal.db"))} }
${withForges(forges, more)}`);
  try {
    const result = await runCli(["doctor", "--config", configFile, "--timeout", "3s"], fake.env);
    assert.equal(result.stderr, "");
    const lines = findingLines(result.stdout);
    const expect = (pattern: RegExp, what: string) => assert.ok(lines.some((line) => pattern.test(line)), `${what}: no line matches ${pattern} in:\n${result.stdout}`);
    expect(/^problem +laminar unix-abstract:test-laminar: laminarc show-jobs failed: laminard is not running .*Connection refused.* → /, "laminard unreachable");
    expect(/^problem +job deploy: .*laminar-home\/cfg\/jobs\/deploy\.run does not exist: Laminar cannot run it \(used by acme\/app\) → create that script/, "job without .run");
    expect(/^warning +job app: cfg\/jobs\/app\.env sets channel, rev, so the parameters of that name never reach the run: .* → rename or remove those variables in cfg\/jobs\/app\.env/, ".env overriding params");
    expect(/^warning +job app: cfg\/contexts\/big\.env sets branch, .*when it runs in context big/, "a context's .env overriding a param");
    expect(/^problem +laminar\.http: http:\/\/127\.0\.0\.1:\d+: laminard did not send a snapshot within 3000 ms → /, "stream not answering");
    expect(/^problem +service \(local\): GET http:\/\/localhost\/healthz \(unix:.*hooks\.sock\) got no answer: no such socket \(ENOENT\).* → start the service/, "service down");
    expect(/^problem +service \(public\): GET http:\/\/127\.0\.0\.1:\d+\/healthz answered 502 → check that the proxy/, "healthz failing through the proxy");
    expect(/^problem +github acme\/app hook: hook 2 does not send pull_request \(needed by the pull_request jobs\) → add that event/, "missing pull_request event");
    expect(/^problem +github acme\/app hook: the last delivery to hook 2 \(push, 2026-12-05T11:00:00\.000Z\) was answered 502 \(Invalid HTTP Response: 502\) → /, "last delivery failed");
    expect(/^problem +github acme\/missing hook: no hook of the repository points at http:\/\/127\.0\.0\.1:\d+\/hooks: its pushes are not sent to laminar-hooks → create it: laminar-hooks repo add acme\/missing --forge github/, "hook missing");
    expect(/^problem +github acme\/inactive hook: hook 4 is not active/, "inactive hook");
    expect(/^problem +github acme\/elsewhere hook: no hook points at http:\/\/127\.0\.0\.1:\d+\/hooks; hook 5 points at http:\/\/127\.0\.0\.1:\d+\/old-hooks → /, "wrong URL");
    expect(/^problem +github acme\/form hook: hook 6 sends form bodies \(application\/x-www-form-urlencoded\), not JSON → /, "form content type");
    expect(/^problem +gitlab group\/app hook: hook 9 is off: GitLab disabled it after failed deliveries \(temporarily_disabled until 2026-12-31T10:00:00\.000Z\)/, "hook GitLab disabled");
    expect(/^problem +github acme\/private hook: could not read its hooks: the token was refused \(401\): Bad credentials → give the token what it needs: .*Webhooks/, "token refused");
    expect(/^problem +gitea team\/app hook: hook 11 does not send pull_request_sync \(needed by the pull_request jobs\)/, "Gitea hook without pull_request_sync");
    expect(/^warning +gitea team\/site hook: hook 12's branch filter "main" may not send pushes to release\/\* \(job app\): .* → set the hook's branch filter to \*/, "Gitea branch filter narrower than the job");
    expect(/^note +gogs someone\/old hook: no API token for it: its hook was not checked → set forges\.gogs\.token/, "Gogs without a token");
    assert.match(result.stdout, /^doctor: 14 problems, 4 warnings$/m);
    assert.equal(result.code, 1);
    // Tokens are never shown.
    assert.ok(!/gh-token|gl-token|gt-token|not-the-token/.test(result.stdout), result.stdout);
    assert.deepEqual([...github.problems, ...gitlab.problems, ...gitea.problems], []);
    // The env file's comment-free lines only: the deploy job has no env file, so no warning names it.
    assert.ok(!lines.some((line) => /^warning +job deploy: cfg\/jobs/.test(line)), result.stdout);
  } finally {
    await closeForges(forges);
    await silent.close();
    await proxy.close();
    fake.remove();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("laminarc reaches laminard, which does not know a configured job; secrets this shell cannot read are no obstacle", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lh-doctor-jobs-"));
  const fake = createFakeLaminar({ jobs: ["app"] });
  const configFile = join(dir, "config.yml");
  writeFileSync(configFile, `
server: { listen: ${JSON.stringify(`unix:${join(dir, "hooks.sock")}`)} }
laminar:
  laminarc: ${JSON.stringify(FAKE_LAMINARC)}
  host: unix-abstract:test-laminar
journal: { path: ${JSON.stringify(join(dir, "journal.db"))} }
${REPOSITORIES}`);
  // As the operator's shell sees the service's config: its secret and token in the service's environment only.
  const unreadable = join(dir, "unreadable.yml");
  writeFileSync(unreadable, `
server: { listen: ${JSON.stringify(`unix:${join(dir, "hooks.sock")}`)}, public_url: "http://127.0.0.1:9/hooks" }
laminar:
  laminarc: ${JSON.stringify(FAKE_LAMINARC)}
  host: unix-abstract:test-laminar
journal: { path: ${JSON.stringify(join(dir, "journal.db"))} }
forges:
  github: { secret: { env: SERVICE_ONLY_SECRET }, token: { env: SERVICE_ONLY_TOKEN }, api: "http://127.0.0.1:9" }
repositories:
${ACME_APP}`);
  try {
    const result = await runCli(["doctor", "--config", configFile, "--timeout", "20s"], { ...fake.env, LAMINAR_HOME: "" });
    const lines = findingLines(result.stdout);
    assert.ok(lines.some((line) => /^problem +job deploy: laminard at unix-abstract:test-laminar does not know this job \(laminarc show-jobs does not list it; used by acme\/app\) → create cfg\/jobs\/deploy\.run/.test(line)), result.stdout);
    assert.ok(!lines.some((line) => /job app:/.test(line)), result.stdout);
    assert.ok(lines.some((line) => /^note +laminar home: neither laminar\.home nor \$LAMINAR_HOME is set/.test(line)), result.stdout);
    assert.ok(lines.some((line) => /^note +laminar\.http: not set/.test(line)), result.stdout);
    assert.ok(lines.some((line) => /^note +server\.public_url: not set/.test(line)), result.stdout);
    assert.equal(result.code, 1);

    const shell = await runCli(["doctor", "--config", unreadable, "--timeout", "20s"], { ...fake.env, LAMINAR_HOME: "" });
    assert.equal(shell.stderr, "");
    const said = findingLines(shell.stdout);
    assert.ok(said.some((line) => /^note +github acme\/app hook: forges\.github\.token: environment variable SERVICE_ONLY_TOKEN is not set or empty: its hook was not checked → run doctor as the service's user/.test(line)), shell.stdout);
    assert.ok(said.some((line) => /^problem +job deploy: laminard at unix-abstract:test-laminar does not know this job/.test(line)), shell.stdout);
  } finally {
    fake.remove();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a secret change under way: doctor reads the service's journal and says which secret the forge signs with", async (t) => {
  const repo = "Codertocat/Hello-World";
  const env = { OLD_SECRET: "old-secret", NEW_SECRET: "new-secret" };
  const service = await startTestService({
    config: `repositories:\n  - repo: ${repo}\n    forge: github\n    secret: [{ env: OLD_SECRET }, { env: NEW_SECRET }]\n    jobs: [{ job: hello, events: [push] }]\n`,
    env,
  });
  t.after(() => service.stop());
  const doctor = async (configFile: string) => {
    const out: string[] = [];
    const err: string[] = [];
    await main(["doctor", "--config", configFile, "--timeout", "20s"], { out: (line) => out.push(line), err: (line) => err.push(line), env: { ...service.fake.env, ...env, LAMINAR_HOME: "" } });
    assert.equal(err.join("\n"), "");
    return findingLines(out.join("\n")).filter((line) => / secrets?( lists)?: /.test(line));
  };
  const push = (label: string, secret: string) => {
    const body = anotherPush(payload("github/push-5.json"), label);
    return service.post("/hooks", body, githubHeaders("push", label, githubSignature(secret, body)));
  };

  // The forge signs with the new secret: its first use is now, so the day has not passed yet.
  assert.equal((await push("signed-new", "new-secret")).status, 202);
  const afterNew = await doctor(service.configFile);
  assert.equal(afterNew.length, 1, afterNew.join("\n"));
  assert.match(afterNew[0]!, /^note +github Codertocat\/Hello-World secrets: secret #2 verified its first delivery at \S+, and secret #1 nothing since a day before now → after \S+, if nothing has used #1 by then, finish the change with `laminar-hooks repo rotate-secret Codertocat\/Hello-World --finish`$/);

  // A delivery signed with the old one: the forge (or another hook) still has it.
  assert.equal((await push("signed-old", "old-secret")).status, 202);
  const afterOld = await doctor(service.configFile);
  assert.equal(afterOld.length, 1, afterOld.join("\n"));
  assert.match(afterOld[0]!, /^note +github Codertocat\/Hello-World secrets: secret #1 of 2 still verified a delivery at \S+: the forge still signs with it \(its hook may not have been updated\) → run `laminar-hooks repo rotate-secret Codertocat\/Hello-World` again/);
  // Read-only: doctor left the journal as it was (two deliveries, no row of its own).
  assert.equal((service.journalDatabase.prepare("SELECT COUNT(*) AS n FROM deliveries").get() as { n: number }).n, 2);

  // No journal yet (a new install): a note, no error.
  const fresh = join(service.dir, "fresh.yml");
  writeFileSync(fresh, readFileSync(service.configFile, "utf8").replace(/journal\.db/, "not-yet/journal.db"));
  assert.deepEqual(await doctor(fresh), [
    `note    secret lists: no journal at ${join(service.dir, "not-yet", "journal.db")} yet: which secret verifies deliveries was not checked → check again once the service has taken deliveries`,
  ]);
});
