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
  const result = route(push, repository, "d-1", {});
  assert.equal(result.jobs.length, 1);
  assert.deepEqual(result.jobs[0], {
    job: "wiki",
    host: "", // laminar.host, read by the dispatcher at each attempt
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
  assert.equal(route({ ...push, branch: "release/1.0" }, repository, "d", {}).jobs.length, 1);
  const miss = route({ ...push, branch: "release/1.0/hotfix" }, repository, "d", {});
  assert.equal(miss.jobs.length, 0);
  assert.equal(miss.trace[0]?.reason, `branch "release/1.0/hotfix" matches none of [master, release/*]`);
});

test("tags route with fixed params after the built-in ones", () => {
  const repository = findRepository(wiki, "github", "sbrl/Pepperminty-Wiki")!;
  const tag: HookEvent = { ...push, kind: "tag", ref: "refs/tags/v1.2", tag: "v1.2" };
  delete (tag as { branch?: string }).branch;
  const result = route(tag, repository, "d", {});
  assert.deepEqual(result.jobs.map((job) => job.job), ["wiki-release"]);
  assert.equal(result.jobs[0]?.params.tag, "v1.2");
  assert.equal(result.jobs[0]?.params.channel, "stable");
  assert.equal(Object.keys(result.jobs[0]!.params).at(-1), "channel");
  assert.equal(route({ ...tag, tag: "nightly" }, repository, "d", {}).jobs.length, 0);
});

test("deletions start nothing and say so", () => {
  const repository = findRepository(wiki, "github", "sbrl/Pepperminty-Wiki")!;
  const result = route({ ...push, deleted: true }, repository, "d", {});
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
  const result = route(pr, repository, "d", {});
  assert.deepEqual(result.jobs.map((job) => job.job), ["wiki-pr"]);
  assert.equal(result.jobs[0]?.params.pr, "7");
  assert.equal(result.jobs[0]?.params.base_branch, "master");
  assert.equal(result.jobs[0]?.reason, "GitHub pull request #7 (synchronize) on sbrl/Pepperminty-Wiki: feature → master (3f2c1a9) by sbrl");
  const closed = route({ ...pr, action: "closed" }, repository, "d", {});
  assert.equal(closed.jobs.length, 0);
  assert.equal(closed.trace[2]?.reason, `action "closed" is not in actions [opened, synchronize, reopened]`);
  assert.equal(route({ ...pr, baseBranch: "dev" }, repository, "d", {}).trace[2]?.reason,
    `action "synchronize", base branch "dev" matches none of [master]`);
});

test("a reason cannot carry extra lines from a crafted branch name", () => {
  const repository = findRepository(wiki, "github", "sbrl/other")!;
  const result = route({ ...push, repo: "sbrl/other", branch: "evil\nSECOND LINE" }, repository, "d", {});
  assert.equal(result.jobs[0]?.reason, "GitHub push to sbrl/other evil SECOND LINE (3f2c1a9) by sbrl");
  assert.equal(result.jobs[0]?.params.branch, "evil\nSECOND LINE", "parameters stay verbatim");
});

// Issue 5: skip-ci, path filters, templated params and per-job hosts, as the trace shows them.

const filtered = config(`
laminar: { host: "unix:/run/laminar.sock" }
forges:
  gitea: { secret: s }
repositories:
  - repo: team/app
    jobs:
      - job: build
      - job: docs
        paths: ["docs/**", "**/*.md"]
      - job: code
        ignore_paths: ["docs/**", "**/*.md"]
      - job: api
        events: [push, pull_request]
        paths: ["api/**"]
        ignore_paths: ["api/**/*.md"]
        host: "10.0.0.7:9997"
      - job: always
        skip_ci: false
        params:
          image: "registry/{{ repo }}:{{ branch }}"
          author: "{{ payload.head_commit.author.name }}"
          count: "{{ payload.total_commits }}"
`);
const app = filtered.repositories[0]!;

function pushOf(paths: readonly string[], extra: Partial<HookEvent> = {}): HookEvent {
  return {
    forge: "gitea", forgeEvent: "push", kind: "push", deleted: false, repo: "team/app", ref: "refs/heads/main",
    branch: "main", rev: "b".repeat(40), before: "a".repeat(40), sender: "ann", headCommitMessage: "Change things\n\nBody",
    changedFiles: { paths, complete: true }, ...extra,
  };
}

const reasons = (result: ReturnType<typeof route>) => Object.fromEntries(result.trace.map((line) => [line.job, `${line.matched ? "✓" : "✗"} ${line.reason}`]));

test("[skip ci] in the head commit of a push skips every job but those with skip_ci: false", () => {
  for (const marker of ["[skip ci]", "[ci skip]", "[NO CI]", "[Skip Laminar]"]) {
    const result = route(pushOf(["src/a.ts"], { headCommitMessage: `Bump version\n\n${marker}` }), app, "d", {});
    assert.deepEqual(result.jobs.map((job) => job.job), ["always"], marker);
    assert.equal(reasons(result).build, `✗ head commit says ${marker}`);
    assert.equal(reasons(result).always, `✓ every branch matches (no filter); head commit says ${marker}, but skip_ci: false`);
  }
  for (const message of ["skip ci", "[skip-ci]", "[skipci]", "[ci]"]) {
    assert.equal(route(pushOf(["src/a.ts"], { headCommitMessage: message }), app, "d", {}).jobs.length, 3, message);
  }
});

test("[skip ci] does not stop a tag, and the trace says so", () => {
  const tagged = config(`
forges: { gitea: { secret: s } }
repositories: [{ repo: team/app, jobs: [{ job: release, events: [tag] }] }]
`);
  const tag: HookEvent = { ...pushOf([]), kind: "tag", ref: "refs/tags/v1.0", tag: "v1.0", headCommitMessage: "Release 1.0 [skip ci]" };
  delete (tag as { branch?: string }).branch;
  delete (tag as { changedFiles?: unknown }).changedFiles;
  const result = route(tag, tagged.repositories[0]!, "d", {});
  assert.deepEqual(result.jobs.map((job) => job.job), ["release"]);
  assert.equal(result.trace[0]?.reason, "every tag matches (no filter); head commit says [skip ci], but tags build anyway");
});

test("paths builds when some changed file matches; ignore_paths skips when every one does", () => {
  const docsOnly = route(pushOf(["README.md", "docs/guide/intro.md"]), app, "d", {});
  assert.deepEqual(docsOnly.jobs.map((job) => job.job), ["build", "docs", "always"]);
  assert.equal(reasons(docsOnly).docs, `✓ every branch matches (no filter); "README.md" matches paths "**/*.md"`);
  assert.equal(reasons(docsOnly).code, "✗ every changed file matches ignore_paths [docs/**, **/*.md] (README.md, docs/guide/intro.md)");
  assert.equal(reasons(docsOnly).api, "✗ no changed file matches paths [api/**] (README.md, docs/guide/intro.md)");

  const mixed = route(pushOf(["docs/a.md", "src/b.ts"]), app, "d", {});
  assert.deepEqual(mixed.jobs.map((job) => job.job), ["build", "docs", "code", "always"]);
  assert.equal(reasons(mixed).code, `✓ every branch matches (no filter); "src/b.ts" is not in ignore_paths`);

  const dotfiles = route(pushOf([".github/x.md"]), app, "d", {});
  assert.equal(reasons(dotfiles).docs?.startsWith("✓"), true, "dot: true: globs match dotfiles and dot folders");

  const apiDocs = route(pushOf(["api/v1/README.md", "api/v1/x.md", "api/v2/y.md", "api/z.md"]), app, "d", {});
  assert.equal(reasons(apiDocs).api,
    "✗ no changed file outside ignore_paths [api/**/*.md] matches paths [api/**] (api/v1/README.md, api/v1/x.md, api/v2/y.md and 1 more)");
  assert.equal(reasons(route(pushOf(["api/v1/h.go", "api/v1/x.md"]), app, "d", {})).api?.startsWith("✓"), true);
});

test("a file list that may be short, or is missing, never skips a build", () => {
  const short = route(pushOf(["README.md"], { changedFiles: { paths: ["README.md"], complete: false } }), app, "d", {});
  assert.deepEqual(short.jobs.map((job) => job.job), ["build", "docs", "code", "api", "always"]);
  assert.equal(reasons(short).api,
    "✓ every branch matches (no filter); the payload does not list every changed file (Gitea sends only some of the commits, or none of their files); building anyway");
  const github = route(pushOf(["README.md"], { forge: "github", changedFiles: { paths: ["README.md"], complete: false } }), app, "d", {});
  assert.match(reasons(github).code ?? "", /\(GitHub sends at most 20 commits\); building anyway$/);
  const created = pushOf(["README.md"], { changedFiles: { paths: ["README.md"], complete: false } });
  delete (created as { before?: string }).before;
  assert.match(reasons(route(created, app, "d", {})).code ?? "", /\(a new branch: the forge lists only some of its commits\); building anyway$/);

  const none = pushOf([]);
  delete (none as { changedFiles?: unknown }).changedFiles;
  for (const event of [none, pushOf([])]) {
    const result = route(event, app, "d", {});
    assert.equal(result.jobs.length, 5);
    assert.equal(reasons(result).code, "✓ every branch matches (no filter); the payload lists no changed files; building anyway");
  }
});

test("path filters do not apply to pull requests, and the trace says so", () => {
  const pr: HookEvent = { ...pushOf(["README.md"]), kind: "pull_request", action: "opened", pr: 3, baseBranch: "main" };
  const result = route(pr, app, "d", {});
  assert.deepEqual(result.jobs.map((job) => job.job), ["api"]);
  assert.equal(result.trace[3]?.reason, `action "opened", every base branch matches (no filter); path filters apply to pushes only`);
});

test("templated params are filled from the built-ins and the payload; a job's host wins", () => {
  const payload = { head_commit: { author: { name: "Ann O'Neil" } }, total_commits: 2 };
  const result = route(pushOf(["api/x.go"]), app, "d-9", payload);
  const always = result.jobs.find((job) => job.job === "always")!;
  assert.deepEqual(Object.entries(always.params).slice(-3), [
    ["image", "registry/team/app:main"], ["author", "Ann O'Neil"], ["count", "2"],
  ]);
  assert.equal(always.host, "", "no host: of its own: laminar.host at each attempt");
  assert.equal(result.jobs.find((job) => job.job === "api")?.host, "10.0.0.7:9997");
  const tagLess = route(pushOf(["x"]), app, "d", {}).jobs.find((job) => job.job === "always")!;
  assert.equal(tagLess.params.author, "", "a missing field is an empty value");
});
