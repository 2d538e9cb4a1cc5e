import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/config/load-config.ts";
import { findRepository, route, verificationFor } from "../../src/routing/index.ts";
import type { Config, HookEvent } from "../../src/types.ts";

function config(yaml: string): Config {
  return parseConfig(yaml, "/etc/laminar-hooks/config.yml", { env: {}, readFile: () => "", baseDir: "/etc/laminar-hooks" });
}

const wiki = config(`
laminar: { host: "unix:/run/laminar.sock" }
forges:
  github: { secret: forge-secret }
repositories:
  - repo: sbrl/Pepperminty-Wiki
    forge: github
    secret: repo-secret
    jobs:
      - job: wiki
        events: [push]
        branches: [master, "release/*"]
      - job: wiki-release
        events: [tag]
        tags: ["v*"]
        params: { channel: stable }
      - job: wiki-pr
        events: [pull_request]
        branches: [master]
  - repo: "sbrl/*"
    jobs: [{ job: any-sbrl }]
`);

const push: HookEvent = {
  forge: "github", forgeEvent: "push", kind: "push", deleted: false, repo: "sbrl/Pepperminty-Wiki",
  ref: "refs/heads/master", branch: "master", rev: "3f2c1a9e6a1b", before: "0000000000000000000000000000000000000000",
  cloneUrl: "https://github.com/sbrl/Pepperminty-Wiki.git", sshUrl: "git@github.com:sbrl/Pepperminty-Wiki.git",
  sender: "sbrl", title: "Fix things",
};

test("exact repository names win over globs, compared without case", () => {
  assert.equal(findRepository(wiki, "github", "SBRL/pepperminty-wiki")?.repo, "sbrl/Pepperminty-Wiki");
  assert.equal(findRepository(wiki, "github", "sbrl/other")?.repo, "sbrl/*");
  assert.equal(findRepository(wiki, "gitea", "sbrl/Pepperminty-Wiki")?.repo, "sbrl/*", "forge: github excludes gitea");
  assert.equal(findRepository(wiki, "github", "someone/else"), undefined);
});

test("the repository's secret wins over the forge's", () => {
  const repository = findRepository(wiki, "github", "sbrl/Pepperminty-Wiki");
  const own = verificationFor(wiki, "github", repository);
  assert.equal(own.kind === "secret" && own.secret.reveal(), "repo-secret");
  const forge = verificationFor(wiki, "github", findRepository(wiki, "github", "sbrl/other"));
  assert.equal(forge.kind === "secret" && forge.secret.reveal(), "forge-secret");
  assert.equal(verificationFor(wiki, "gogs", undefined).kind, "none");
});

test("a push to a matching branch queues its job with every non-empty parameter", () => {
  const repository = findRepository(wiki, "github", "sbrl/Pepperminty-Wiki")!;
  const result = route(push, repository, wiki, "d-1");
  assert.equal(result.jobs.length, 1);
  assert.deepEqual(result.jobs[0], {
    job: "wiki",
    host: "unix:/run/laminar.sock",
    reason: "GitHub push to sbrl/Pepperminty-Wiki master (3f2c1a9) by sbrl",
    params: {
      rev: "3f2c1a9e6a1b", ref: "refs/heads/master", branch: "master", repo: "sbrl/Pepperminty-Wiki",
      clone_url: "https://github.com/sbrl/Pepperminty-Wiki.git", ssh_url: "git@github.com:sbrl/Pepperminty-Wiki.git",
      event: "push", forge: "github", sender: "sbrl", delivery: "d-1",
    },
  });
  assert.deepEqual(result.trace.map((line) => [line.job, line.matched, line.reason]), [
    ["wiki", true, `branch "master" matches "master"`],
    ["wiki-release", false, "event push is not in events [tag]"],
    ["wiki-pr", false, "event push is not in events [pull_request]"],
  ]);
});

test("branch globs do not cross slashes, and the trace says which branch missed", () => {
  const repository = findRepository(wiki, "github", "sbrl/Pepperminty-Wiki")!;
  assert.equal(route({ ...push, branch: "release/1.0" }, repository, wiki, "d").jobs.length, 1);
  const miss = route({ ...push, branch: "release/1.0/hotfix" }, repository, wiki, "d");
  assert.equal(miss.jobs.length, 0);
  assert.equal(miss.trace[0]?.reason, `branch "release/1.0/hotfix" matches none of [master, release/*]`);
});

test("tags route with fixed params after the built-in ones", () => {
  const repository = findRepository(wiki, "github", "sbrl/Pepperminty-Wiki")!;
  const tag: HookEvent = { ...push, kind: "tag", ref: "refs/tags/v1.2", tag: "v1.2" };
  delete (tag as { branch?: string }).branch;
  const result = route(tag, repository, wiki, "d");
  assert.deepEqual(result.jobs.map((job) => job.job), ["wiki-release"]);
  assert.equal(result.jobs[0]?.params.tag, "v1.2");
  assert.equal(result.jobs[0]?.params.channel, "stable");
  assert.equal(Object.keys(result.jobs[0]!.params).at(-1), "channel");
  assert.equal(route({ ...tag, tag: "nightly" }, repository, wiki, "d").jobs.length, 0);
});

test("deletions start nothing and say so", () => {
  const repository = findRepository(wiki, "github", "sbrl/Pepperminty-Wiki")!;
  const result = route({ ...push, deleted: true }, repository, wiki, "d");
  assert.equal(result.jobs.length, 0);
  assert.equal(result.note, "a branch deletion starts nothing");
  assert.equal(result.trace[0]?.reason, "the branch was deleted; deletions start nothing");
});

test("pull requests match default actions and the base branch", () => {
  const repository = findRepository(wiki, "github", "sbrl/Pepperminty-Wiki")!;
  const pr: HookEvent = {
    ...push, kind: "pull_request", forgeEvent: "pull_request", action: "synchronize", pr: 7, branch: "feature",
    baseBranch: "master", ref: "refs/pull/7/head",
  };
  const result = route(pr, repository, wiki, "d");
  assert.deepEqual(result.jobs.map((job) => job.job), ["wiki-pr"]);
  assert.equal(result.jobs[0]?.params.pr, "7");
  assert.equal(result.jobs[0]?.params.base_branch, "master");
  assert.equal(result.jobs[0]?.reason, "GitHub pull request #7 (synchronize) on sbrl/Pepperminty-Wiki: feature → master (3f2c1a9) by sbrl");
  const closed = route({ ...pr, action: "closed" }, repository, wiki, "d");
  assert.equal(closed.jobs.length, 0);
  assert.equal(closed.trace[2]?.reason, `action "closed" is not in actions [opened, synchronize, reopened]`);
  assert.equal(route({ ...pr, baseBranch: "dev" }, repository, wiki, "d").trace[2]?.reason,
    `action "synchronize", base branch "dev" matches none of [master]`);
});

test("a reason cannot carry extra lines from a crafted branch name", () => {
  const repository = findRepository(wiki, "github", "sbrl/other")!;
  const result = route({ ...push, repo: "sbrl/other", branch: "evil\nSECOND LINE" }, repository, wiki, "d");
  assert.equal(result.jobs[0]?.reason, "GitHub push to sbrl/other evil SECOND LINE (3f2c1a9) by sbrl");
  assert.equal(result.jobs[0]?.params.branch, "evil\nSECOND LINE", "parameters stay verbatim");
});
