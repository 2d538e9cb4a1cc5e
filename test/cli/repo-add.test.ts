// `repo add` end to end against the fake forge APIs: the config file edited in place (every other
// line byte for byte), the secret file, the hook created or ours updated in place, and every way
// it must refuse without changing anything.
import assert from "node:assert/strict";
import { chownSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { startFakeGiteaApi, type FakeGiteaApi } from "../fixtures/fake-gitea-api.ts";
import { startFakeGitHubApi, type FakeGitHubApi } from "../fixtures/fake-github-api.ts";
import { startFakeGitLabApi, type FakeGitLabApi } from "../fixtures/fake-gitlab-api.ts";
import type { Context } from "../report/report-kit.ts";
import { payload } from "../support/payloads.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders, startTestService } from "../support/test-service.ts";

const PUBLIC_URL = "https://ci.example.com/hooks";
const TOKENS = { github: "ghp_repoAddToken0123456789", gitea: "gitea-repo-add-token-0123", gitlab: "glpat-repoAddToken012345" };

interface Setup {
  dir: string;
  file: string;
  text: string;
  github: FakeGitHubApi;
  gitea: FakeGiteaApi;
  gitlab: FakeGitLabApi;
  run(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  /** The same, in a shell with only these variables (the service's secrets unset). */
  runWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string; err: string }>;
}

async function setup(t: Context): Promise<Setup> {
  const [github, gitea, gitlab] = await Promise.all([
    startFakeGitHubApi({ token: TOKENS.github }), startFakeGiteaApi({ token: TOKENS.gitea }), startFakeGitLabApi({ token: TOKENS.gitlab }),
  ]);
  t.after(async () => {
    await Promise.all([github.close(), gitea.close(), gitlab.close()]);
  });
  const dir = mkdtempSync(join(tmpdir(), "lh-repo-add-"));
  const file = join(dir, "config.yml");
  const text = `# laminar-hooks on ci.example.com: keep these comments
server:
  public_url: ${PUBLIC_URL}    # as the forges see us

forges:
  github:
    secret: { env: GH_SECRET }
    token: { env: GH_TOKEN }
    api: ${github.url}
  gitea:
    secret: { env: GH_SECRET }
    token: { env: GITEA_TOKEN }
    api: ${gitea.url}
  gitlab:
    secret: { env: GH_SECRET }
    token: { env: GITLAB_TOKEN }
    api: ${gitlab.url}
  gogs:
    secret: { env: GH_SECRET }
    token: { env: GITEA_TOKEN }
    api: ${gitea.url}

repositories:
  # the first one
  - repo: old/one          # spacing kept
    forge: github
    jobs:
      - job: one

  - repo: "glob/*"
    forge: github
    jobs: [{ job: globbed }]
# end of file
`;
  writeFileSync(file, text, { mode: 0o640 });
  const env = { GH_SECRET: "forge-wide-secret", GH_TOKEN: TOKENS.github, GITEA_TOKEN: TOKENS.gitea, GITLAB_TOKEN: TOKENS.gitlab };
  const runWith = async (shellEnv: Record<string, string>, ...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["repo", "add", ...args, "--config", file], { out: (line) => out.push(line), err: (line) => err.push(line), env: shellEnv });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
  return { dir, file, text, github, gitea, gitlab, run: (...args) => runWith(env, ...args), runWith };
}

/** The lines added to `before`, every line of `before` still there, in order, byte for byte. */
function addedLines(before: string, after: string): string[] {
  const old = before.split("\n");
  const extra: string[] = [];
  let i = 0;
  for (const line of after.split("\n")) {
    if (i < old.length && line === old[i]) i += 1;
    else extra.push(line);
  }
  assert.equal(i, old.length, `a line of the original changed:\n${after}`);
  return extra;
}

const writes = (api: { requests: { method: string }[] }) => api.requests.filter((request) => request.method !== "GET");

test("a new GitHub repository: config edited in place, a 0600 secret file, a hook created with it", async (t) => {
  const s = await setup(t);
  s.github.hooks.addRepository("acme/app");
  // The service's user owns the config (the tests run as root where they can give it away).
  const owner = process.getuid?.() === 0 ? 4321 : statSync(s.file).uid;
  if (process.getuid?.() === 0) chownSync(s.file, owner, owner);
  const result = await s.run("acme/app", "--forge", "github", "--job", "app", "--job", "app-pr", "--events", "push", "pull_request", "--branches", "main");
  assert.equal(result.code, 0, result.err);
  const after = readFileSync(s.file, "utf8");
  assert.deepEqual(addedLines(s.text, after), [
    "  - repo: acme/app",
    "    forge: github",
    "    secret: { file: acme-app.secret }",
    "    jobs:",
    "      - job: app",
    "        events: [push, pull_request]",
    "        branches: [main]",
    "      - job: app-pr",
    "        events: [push, pull_request]",
    "        branches: [main]",
  ]);
  assert.equal(statSync(s.file).mode & 0o777, 0o640, "the config keeps its mode");
  assert.deepEqual([statSync(s.file).uid, statSync(s.file).gid], [owner, owner], "and its owner");
  const secretFile = join(s.dir, "acme-app.secret");
  const secret = readFileSync(secretFile, "utf8").trim();
  assert.equal(statSync(secretFile).mode & 0o777, 0o600);
  assert.deepEqual([statSync(secretFile).uid, statSync(secretFile).gid], [owner, owner], "the secret file is the config owner's");
  assert.ok(secret.length >= 40);
  const config = loadConfig(s.file, { env: { GH_SECRET: "x", GH_TOKEN: "x", GITEA_TOKEN: "x", GITLAB_TOKEN: "x" } });
  assert.equal(config.repositories.at(-1)?.secret?.reveal(), secret);
  assert.deepEqual(s.github.problems, []);
  assert.deepEqual(s.github.hooks.hooksOf("acme/app").map((hook) => ({ ...hook, id: 0 })), [
    { id: 0, url: PUBLIC_URL, active: true, events: ["push", "pull_request"], contentType: "json", insecureSsl: "0", secret },
  ]);
  assert.match(result.out, /hook #\d+ created/);
  assert.ok(!result.out.includes(secret) && !result.err.includes(secret), "the secret is never shown");

  // A second run changes nothing: same bytes, no write to the forge.
  const requestsBefore = writes(s.github).length;
  const again = await s.run("acme/app", "--forge", "github", "--job", "app", "--events", "push", "pull_request", "--branches", "main");
  assert.equal(again.code, 0, again.err);
  assert.equal(readFileSync(s.file, "utf8"), after);
  assert.equal(writes(s.github).length, requestsBefore);
  assert.match(again.out, /unchanged[\s\S]*already sends/);
});

test("ours is updated in place (same id, secret sent), another service's hook on the same host is left alone", async (t) => {
  const s = await setup(t);
  s.github.hooks.addHook("acme/app", { id: 41, url: "https://ci.example.com/other-service", active: true, events: ["push"], secret: "theirs" });
  s.github.hooks.addHook("acme/app", { id: 42, url: `${PUBLIC_URL}/`, active: false, events: ["issues"], contentType: "form", insecureSsl: "1", secret: "stale" });
  const result = await s.run("acme/app", "--forge", "github", "--job", "app");
  assert.equal(result.code, 0, result.err);
  const secret = readFileSync(join(s.dir, "acme-app.secret"), "utf8").trim();
  assert.deepEqual(s.github.hooks.hooksOf("acme/app"), [
    { id: 41, url: "https://ci.example.com/other-service", active: true, events: ["push"], secret: "theirs" },
    { id: 42, url: `${PUBLIC_URL}/`, active: true, events: ["issues", "push"], contentType: "json", insecureSsl: "0", secret },
  ]);
  assert.deepEqual(s.github.problems, []);
  assert.match(result.out, /#42 updated in place/);
});

test("a job added to a repository already there goes into its list; its hook gets the new event", async (t) => {
  const s = await setup(t);
  s.github.hooks.addHook("old/one", { id: 5, url: PUBLIC_URL, active: true, events: ["push"], secret: "forge-wide-secret" });
  const result = await s.run("old/one", "--forge", "github", "--job", "one-tags", "--events", "tag", "release");
  assert.equal(result.code, 0, result.err);
  assert.deepEqual(addedLines(s.text, readFileSync(s.file, "utf8")), ["      - job: one-tags", "        events: [tag, release]"]);
  assert.deepEqual(s.github.hooks.hooksOf("old/one")[0], { id: 5, url: PUBLIC_URL, active: true, events: ["push", "release"], contentType: "json", insecureSsl: "0", secret: "forge-wide-secret" });
  assert.ok(!existsSync(join(s.dir, "old-one.secret")), "the repository keeps the secret it had");
});

test("Gitea and Gogs: created active with their type; GitLab: the flags the jobs need and the token", async (t) => {
  const s = await setup(t);
  s.gitea.hooks.addRepository("acme/app");
  s.gitea.hooks.addRepository("old/gogs");
  const gogs = await s.run("old/gogs", "--forge", "gogs", "--job", "legacy");
  assert.equal(gogs.code, 0, gogs.err);
  assert.deepEqual(s.gitea.hooks.hooksOf("old/gogs").map((hook) => [hook.type, hook.active, hook.branchFilter]), [["gogs", true, ""]]);
  s.gitlab.hooks.addProject("group/sub/app");
  assert.equal((await s.run("acme/app", "--forge", "gitea", "--job", "app")).code, 0);
  const gitlab = await s.run("group/sub/app", "--forge", "gitlab", "--job", "app", "--events", "tag");
  assert.equal(gitlab.code, 0, gitlab.err);
  assert.deepEqual([...s.gitea.problems, ...s.gitlab.problems], []);
  const [giteaHook] = s.gitea.hooks.hooksOf("acme/app");
  assert.deepEqual({ type: giteaHook?.type, active: giteaHook?.active, json: giteaHook?.contentType, events: giteaHook?.events, url: giteaHook?.url },
    { type: "gitea", active: true, json: "json", events: ["push"], url: PUBLIC_URL });
  assert.equal(giteaHook?.secret, readFileSync(join(s.dir, "acme-app.secret"), "utf8").trim());
  const [gitlabHook] = s.gitlab.hooks.hooksOf("group/sub/app");
  assert.equal(gitlabHook?.token, readFileSync(join(s.dir, "group-sub-app.secret"), "utf8").trim());
  assert.equal(gitlabHook?.flags?.tag_push_events, true);
  assert.equal(gitlabHook?.flags?.push_events, false);
});

test("Gitea: our hook narrowed to one branch is updated in place to every branch", async (t) => {
  const s = await setup(t);
  s.gitea.hooks.addRepository("acme/narrow");
  // Ours in every other field: only its branch filter keeps pushes to other branches from being sent.
  s.gitea.hooks.addHook("acme/narrow", { id: 40, type: "gitea", url: PUBLIC_URL, contentType: "json", active: true, events: ["push"], branchFilter: "main", secret: "old" });
  const result = await s.run("acme/narrow", "--forge", "gitea", "--job", "app");
  assert.equal(result.code, 0, result.err);
  assert.deepEqual(s.gitea.problems, []);
  assert.deepEqual(s.gitea.hooks.hooksOf("acme/narrow").map((hook) => [hook.id, hook.branchFilter, hook.events]), [[40, "*", ["push"]]]);
  // Narrowed again by hand once the repository is in the config: a second run sees the difference.
  const requests = s.gitea.requests.length;
  s.gitea.hooks.hooksOf("acme/narrow")[0]!.branchFilter = "release/*";
  const again = await s.run("acme/narrow", "--forge", "gitea", "--job", "app");
  assert.equal(again.code, 0, again.err);
  assert.deepEqual(s.gitea.requests.slice(requests).map((r) => r.method), ["GET", "PATCH"]);
  assert.deepEqual(s.gitea.hooks.hooksOf("acme/narrow").map((hook) => [hook.id, hook.branchFilter]), [[40, "*"]]);
});

test("a token the forge refuses (401, 403, 404) is named with the permission it needs, and nothing changes", async (t) => {
  const s = await setup(t);
  s.github.hooks.addRepository("acme/locked", { forbidden: true });
  s.gitlab.hooks.addProject("acme/locked", { forbidden: true });
  const cases: [string[], RegExp][] = [
    [["acme/locked", "--forge", "github"], /GitHub refused the token for acme\/locked \(403 .*\); it needs .*Webhooks: read and write/],
    [["acme/nowhere", "--forge", "github"], /\(404 .*no such repository, or the token cannot see it\); it needs .*write:repo_hook/],
    [["acme/locked", "--forge", "gitlab"], /GitLab refused .*403.*Maintainer/],
    [["acme/nowhere", "--forge", "gitea"], /Gitea refused .*404.*write:repository/],
  ];
  for (const [args, expected] of cases) {
    const result = await s.run(...args, "--job", "app");
    assert.equal(result.code, 1, args.join(" "));
    assert.match(result.err, expected);
    assert.match(result.err, /nothing was changed/);
  }
  const wrong = await main(["repo", "add", "acme/app", "--forge", "github", "--job", "app", "--config", s.file], {
    out: () => {}, err: (line) => assert.match(line, /401 Bad credentials: the token is not valid/), env: { GH_SECRET: "x", GH_TOKEN: "ghp_wrong", GITEA_TOKEN: "x", GITLAB_TOKEN: "x" },
  });
  assert.equal(wrong, 1);
  assert.equal(readFileSync(s.file, "utf8"), s.text);
  assert.ok(!existsSync(join(s.dir, "acme-locked.secret")) && !existsSync(join(s.dir, "acme-nowhere.secret")));
  assert.deepEqual([...writes(s.github), ...writes(s.gitea), ...writes(s.gitlab)], []);
});

test("--dry-run prints the diff and the request with the secret as a placeholder, and changes nothing", async (t) => {
  const s = await setup(t);
  s.github.hooks.addRepository("acme/app");
  const result = await s.run("acme/app", "--forge", "github", "--job", "app", "--dry-run");
  assert.equal(result.code, 0, result.err);
  assert.match(result.out, /^\+  - repo: acme\/app$/m);
  assert.match(result.out, /^\+    secret: \{ file: acme-app\.secret \}$/m);
  assert.match(result.out, new RegExp(`^POST ${s.github.url}/repos/acme/app/hooks$`, "m"));
  assert.match(result.out, /"secret": "<new secret>"/);
  assert.match(result.out, /"content_type": "json"/);
  assert.equal(readFileSync(s.file, "utf8"), s.text);
  assert.ok(!existsSync(join(s.dir, "acme-app.secret")));
  assert.deepEqual(writes(s.github), []);
});

test("the service's secrets need not be readable here: only the forge's token is used; without it, it is named", async (t) => {
  const s = await setup(t);
  s.github.hooks.addRepository("acme/app");
  // GH_SECRET is the service's alone (its environment, or a file only its user may read).
  const dry = await s.runWith({ GH_TOKEN: TOKENS.github }, "acme/app", "--forge", "github", "--job", "app", "--dry-run");
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, new RegExp(`^POST ${s.github.url}/repos/acme/app/hooks$`, "m"));
  const added = await s.runWith({ GH_TOKEN: TOKENS.github }, "acme/app", "--forge", "github", "--job", "app");
  assert.equal(added.code, 0, added.err);
  assert.equal(writes(s.github).length, 1, "the hook was created");

  const noToken = await s.runWith({}, "acme/other", "--forge", "github", "--job", "other", "--dry-run");
  assert.equal(noToken.code, 1);
  assert.match(noToken.err, /forges\.github\.token: environment variable GH_TOKEN is not set or empty/);
  assert.doesNotMatch(noToken.err, /\n\s+at /, "a message, not a stack trace");
});

test("a name already there under another forge, or matched by a glob, is an error that names it", async (t) => {
  const s = await setup(t);
  const other = await s.run("old/one", "--forge", "gitea", "--job", "x");
  assert.equal(other.code, 1);
  assert.match(other.err, /repositories\.0 is already old\/one on GitHub/);
  const globbed = await s.run("glob/thing", "--forge", "github", "--job", "x");
  assert.equal(globbed.code, 1);
  assert.match(globbed.err, /already routed by repositories\.1 \(glob\/\*\)/);
  assert.equal(readFileSync(s.file, "utf8"), s.text);
});

test("the running service takes a delivery signed with the new secret within a second of repo add", async (t) => {
  const github = await startFakeGitHubApi({ token: TOKENS.github });
  t.after(() => github.close());
  github.hooks.addRepository("Codertocat/Hello-World");
  const service = await startTestService({
    server: `  public_url: ${PUBLIC_URL}\n`,
    config: `forges:\n  github:\n    secret: topsecret\n    token: ${TOKENS.github}\n    api: ${github.url}\nrepositories:\n  - repo: other/repo\n    jobs: [{ job: other }]\n`,
  });
  t.after(() => service.stop());
  const code = await main(["repo", "add", "Codertocat/Hello-World", "--forge", "github", "--job", "hello", "--config", service.configFile],
    { out: () => {}, err: (line) => assert.fail(line), env: {} });
  assert.equal(code, 0);
  const added = Date.now();
  const secret = readFileSync(join(service.dir, "Codertocat-Hello-World.secret"), "utf8").trim();
  assert.equal(github.hooks.hooksOf("Codertocat/Hello-World")[0]?.secret, secret);
  const push5 = payload("github/push-5.json");
  let answer;
  for (let attempt = 0; ; attempt += 1) {
    answer = await service.post("/hooks", push5, githubHeaders("push", `repo-add-${attempt}`, githubSignature(secret, push5)));
    if (answer.status === 202 || Date.now() - added > 1_000) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(answer.status, 202, `${answer.status} ${answer.body.message} ${Date.now() - added} ms after repo add`);
  assert.ok(Date.now() - added <= 1_000);
});
