// A manual build's head asked of the forge's API when no git remote of the repository is known:
// through the real clients against the fake GitHub, Gitea, Gogs and GitLab APIs on loopback (each
// answering as its forge does), the order of the ways to a head, and every failure the page shows.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { headFromApi } from "../../src/catch-up/head-from-api.ts";
import { resolveHead, type ResolvedHead } from "../../src/catch-up/resolve-head.ts";
import { parseConfig } from "../../src/config/load-config.ts";
import { forgeApis } from "../../src/forges/api-clients.ts";
import type { Config, ForgeName } from "../../src/types.ts";
import { startFakeGitHubApi, type FakeGitHubApi } from "../fixtures/fake-github-api.ts";
import { startFakeGiteaApi, type FakeGiteaApi } from "../fixtures/fake-gitea-api.ts";
import { startFakeGitLabApi, type FakeGitLabApi } from "../fixtures/fake-gitlab-api.ts";
import { createGitKit, type GitKit } from "./git-kit.ts";

const TOKEN = "tok-heads-5e1f09";
const COMMIT = "1111111111111111111111111111111111111111";
const OTHER = "2222222222222222222222222222222222222222";
const TAG_OBJECT = "3333333333333333333333333333333333333333";
const apis = forgeApis();

function configOf(forges: string, repositories = "", env: Record<string, string> = { TOKEN }): Config {
  const yaml = `forges:\n${forges}\nrepositories:\n${repositories || "  - { repo: acme/app, jobs: [{ job: app }] }\n"}`;
  return parseConfig(yaml, "/etc/laminar-hooks/config.yml", { env, readFile: () => "", baseDir: "/etc/laminar-hooks" }, "where-used");
}

const ask = (forge: ForgeName, ref: string, config: Config, timeoutMs = 5_000) => headFromApi({ forge, repo: "acme/app", ref }, apis[forge], config, { timeoutMs });
const reasonOf = (answer: ResolvedHead) => (answer.ok ? "" : `${answer.status} ${answer.reason}`);

describe("a head from the forge's API", () => {
  let github: FakeGitHubApi;
  let gitea: FakeGiteaApi;
  let gitlab: FakeGitLabApi;
  let kit: GitKit;
  before(async () => {
    [github, gitea, gitlab] = await Promise.all([startFakeGitHubApi({ token: TOKEN }), startFakeGiteaApi({ token: TOKEN }), startFakeGitLabApi({ token: TOKEN })]);
    kit = createGitKit();
    for (const fake of [github, gitea, gitlab]) {
      fake.refs.setBranch("acme/app", "feature/x", COMMIT);
      fake.refs.setTag("acme/app", "v1", COMMIT, { object: TAG_OBJECT, message: "release 1" });
      fake.refs.setTag("acme/app", "light", OTHER);
      fake.refs.setBranch("acme/app", "both", COMMIT);
      fake.refs.setTag("acme/app", "both", OTHER);
    }
  });
  after(async () => {
    await Promise.all([github?.close(), gitea?.close(), gitlab?.close()]);
    kit?.remove();
    for (const fake of [github, gitea, gitlab]) assert.deepEqual(fake?.problems ?? [], [], "every request is one the forge would take");
  });

  const githubConfig = () => configOf(`  github: { secret: s, token: { env: TOKEN }, api: "${github.url}" }`);
  const giteaConfig = (forge = "gitea") => configOf(`  ${forge}: { secret: s, token: { env: TOKEN }, api: "${gitea.url}" }`);
  const gitlabConfig = () => configOf(`  gitlab: { secret: s, token: { env: TOKEN }, api: "${gitlab.url}" }`);

  test("GitHub: a branch with a slash, a lightweight tag, an annotated tag peeled through its tag object", async () => {
    const cloneUrl = `${github.url}/acme/app.git`;
    assert.deepEqual(await ask("github", "feature/x", githubConfig()), { ok: true, ref: "refs/heads/feature/x", sha: COMMIT, cloneUrl });
    assert.deepEqual(await ask("github", "light", githubConfig()), { ok: true, ref: "refs/tags/light", sha: OTHER, cloneUrl });
    const from = github.requests.length;
    assert.deepEqual(await ask("github", "refs/tags/v1", githubConfig()), { ok: true, ref: "refs/tags/v1", sha: COMMIT, cloneUrl });
    assert.deepEqual(github.requests.slice(from).map((request) => request.rawPath), ["/repos/acme/app/git/ref/tags/v1", `/repos/acme/app/git/tags/${TAG_OBJECT}`]);
  });

  test("Gitea and Forgejo: branches/{branch} commit.id, tags/{tag} commit.sha (the commit, not an annotated tag's object)", async () => {
    const cloneUrl = `${gitea.url.replace(/\/api\/v1$/, "")}/acme/app.git`;
    for (const forge of ["gitea", "forgejo"] as const) {
      assert.deepEqual(await ask(forge, "feature/x", giteaConfig(forge)), { ok: true, ref: "refs/heads/feature/x", sha: COMMIT, cloneUrl });
      assert.deepEqual(await ask(forge, "v1", giteaConfig(forge)), { ok: true, ref: "refs/tags/v1", sha: COMMIT, cloneUrl });
    }
  });

  test("Gogs: branches only; a tag is for poll:", async () => {
    const config = giteaConfig("gogs");
    assert.equal((await ask("gogs", "feature/x", config) as { sha: string }).sha, COMMIT);
    assert.match(reasonOf(await ask("gogs", "light", config)), /^404 Gogs has no branch or tag light of acme\/app \(Gogs's API was asked for branches only\), or forges\.gogs\.token cannot/);
    assert.match(reasonOf(await ask("gogs", "refs/tags/v1", config)), /^409 Gogs's API cannot look up refs\/tags\/v1: set poll:/);
  });

  test("GitLab: the project and the name URL-encoded whole, commit.id also for an annotated tag", async () => {
    const cloneUrl = `${gitlab.url.replace(/\/api\/v4$/, "")}/acme/app.git`;
    const from = gitlab.requests.length;
    assert.deepEqual(await ask("gitlab", "refs/heads/feature/x", gitlabConfig()), { ok: true, ref: "refs/heads/feature/x", sha: COMMIT, cloneUrl });
    assert.equal(gitlab.requests[from]!.rawPath, "/api/v4/projects/acme%2Fapp/repository/branches/feature%2Fx");
    assert.deepEqual(await ask("gitlab", "v1", gitlabConfig()), { ok: true, ref: "refs/tags/v1", sha: COMMIT, cloneUrl });
  });

  test("a name that is both or neither, on every forge: 409 says which to write, 404 says there is none", async () => {
    for (const [forge, config, label] of [["github", githubConfig(), "GitHub"], ["gitea", giteaConfig(), "Gitea"], ["gitlab", gitlabConfig(), "GitLab"]] as const) {
      assert.match(reasonOf(await ask(forge, "both", config)), /^409 both is both a branch and a tag of acme\/app: write refs\/heads\/both or refs\/tags\/both$/);
      assert.equal(reasonOf(await ask(forge, "nope", config)), `404 ${label} has no branch or tag nope of acme/app, or forges.${forge}.token cannot see the repository`);
    }
  });

  test("no API root, no token, an unreadable token: 409 saying what to configure", async () => {
    assert.match(reasonOf(await ask("gitea", "main", configOf("  gitea: { secret: s }"))), /^409 cannot tell where main of acme\/app points: .*forges\.gitea has no api: .*set poll: for the repository, or forges\.gitea\.api and a token$/);
    assert.match(reasonOf(await ask("github", "main", configOf(`  github: { secret: s, api: "${github.url}" }`))), /^409 .*no API token to ask GitHub: set token: for the repository or forges\.github\.token/);
    const unreadable = configOf(`  github: { secret: s, api: "${github.url}" }`, `  - { repo: acme/app, forge: github, token: { env: APP_TOKEN }, jobs: [{ job: app }] }\n`);
    assert.match(reasonOf(await ask("github", "main", unreadable)), /^409 .*the token: of acme\/app cannot be read \(.*APP_TOKEN is not set or empty\): make it readable/);
  });

  test("a refused token names the permission it needs (401, 403), and the token never shows", async () => {
    const wrong = configOf(`  github: { secret: s, token: { env: TOKEN }, api: "${github.url}" }`, "", { TOKEN: "not-the-token" });
    const refused = reasonOf(await ask("github", "feature/x", wrong));
    assert.match(refused, /^409 GitHub refused forges\.github\.token for acme\/app \(401 Bad credentials: the token is not valid\); it needs a token that may read the repository: fine-grained "Contents: read"/);
    assert.doesNotMatch(refused, /not-the-token/);
    gitlab.script({ status: 403, body: { message: "403 Forbidden - insufficient_scope" } }, { status: 403, body: { message: "403 Forbidden - insufficient_scope" } });
    assert.match(reasonOf(await ask("gitlab", "v1", gitlabConfig())), /^409 GitLab refused .*\(403 403 Forbidden - insufficient_scope: the token may not do this\); it needs a token with the `read_api` scope/);
  });

  test("a forge that fails, hangs or is not there: 503 saying so; an empty repository (409): 409", async () => {
    github.script({ status: 409, body: { message: "Git Repository is empty.", documentation_url: "https://docs.github.com/rest/git/refs#get-a-reference", status: "409" } }, { status: 409, body: { message: "Git Repository is empty." } });
    assert.equal(reasonOf(await ask("github", "main", githubConfig())), "409 GitHub would not tell where the ref of acme/app points (409 Git Repository is empty.)");
    gitea.script({ status: 500, body: { message: "internal error" } }, { status: 500, body: { message: "internal error" } });
    assert.match(reasonOf(await ask("gitea", "feature/x", giteaConfig())), /^503 Gitea's API at .* could not tell where the ref points \(500 internal error\): try again in a moment$/);
    github.script("hang", "hang");
    assert.match(reasonOf(await ask("github", "feature/x", githubConfig(), 300)), /^503 GitHub's API at .* \(GitHub's API did not answer within 300ms\)/);
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, "127.0.0.1", done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const gone = configOf(`  gitlab: { secret: s, token: { env: TOKEN }, api: "http://127.0.0.1:${port}/api/v4" }`);
    const answer = reasonOf(await ask("gitlab", "main", gone));
    assert.match(answer, /^503 GitLab's API at http:\/\/127\.0\.0\.1:\d+\/api\/v4 could not tell where the ref points \(.*ECONNREFUSED/);
    assert.doesNotMatch(answer, new RegExp(TOKEN));
  });

  test("the order: the poll: remote, else the last delivery's clone URL, and only then the API", async () => {
    const remote = kit.remote("app");
    const head = remote.commit("first");
    remote.git("push", "--quiet", "origin", "main:feature/x");
    const options = { timeoutMs: 10_000, env: kit.env, config: githubConfig(), apis };
    const from = github.requests.length;
    assert.equal((await resolveHead({ forge: "github", repo: "acme/app", ref: "feature/x", poll: remote.url, lastCloneUrl: "http://127.0.0.1:1/x.git" }, options) as { sha: string }).sha, head);
    assert.equal((await resolveHead({ forge: "github", repo: "acme/app", ref: "feature/x", lastCloneUrl: remote.url }, options) as { sha: string }).sha, head);
    assert.equal(github.requests.length, from, "the API is not asked while a git remote is known");
    assert.deepEqual(await resolveHead({ forge: "github", repo: "acme/app", ref: "feature/x" }, options), { ok: true, ref: "refs/heads/feature/x", sha: COMMIT, cloneUrl: `${github.url}/acme/app.git` });
    assert.equal(github.requests.length, from + 2, "a bare name: its branch and its tag asked");
    // A known remote that fails is that remote's failure (503), not a silent switch to the API.
    assert.equal((await resolveHead({ forge: "github", repo: "acme/app", ref: "feature/x", poll: "http://127.0.0.1:1/x.git" }, options) as { status: number }).status, 503);
    assert.equal(github.requests.length, from + 2);
  });
});
