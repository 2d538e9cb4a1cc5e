import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { test } from "node:test";
import { loadConfig } from "../../src/config/load-config.ts";
import { ConfigError } from "../../src/errors.ts";
import { SecretUnreadableError } from "../../src/config/secret.ts";

function writeConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lh-config-"));
  const file = join(dir, "config.yml");
  writeFileSync(file, text);
  return file;
}

function problemsOf(file: string, env: Record<string, string> = {}): string[] {
  try {
    loadConfig(file, { env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((p) => `${p.line}:${p.col} ${p.message}`);
  }
  assert.fail("expected a ConfigError");
}

test("a minimal config gets every default, durations and sizes converted", () => {
  const file = writeConfig(`
forges:
  github: { secret: { env: GH_SECRET } }
repositories:
  - repo: sbrl/wiki
    jobs: [{ job: wiki }]
`);
  const config = loadConfig(file, { env: { GH_SECRET: "s3cret" } });
  assert.deepEqual(config.server.listen, { kind: "tcp", host: "127.0.0.1", port: 9090 });
  assert.equal(config.server.path, "/hooks");
  assert.equal(config.server.bodyLimitBytes, 25 * 1024 * 1024);
  assert.equal(config.laminar.timeoutMs, 30_000);
  assert.deepEqual(config.laminar.retry, { attempts: 10, delayMs: 2_000, maxDelayMs: 600_000 });
  assert.equal(config.journal.path, join(file, "..", "data", "journal.db"));
  assert.equal(config.journal.retentionMs, 30 * 86_400_000);
  assert.deepEqual(config.repositories[0]?.jobs[0]?.events, ["push"]);
  assert.equal(config.forges.github?.secret?.reveal(), "s3cret");
  assert.ok(Object.isFrozen(config.repositories[0]?.jobs[0]));
});

test("secrets never show in JSON, inspect or string form", () => {
  const file = writeConfig(`
forges:
  gitea: { secret: inline-very-secret }
repositories:
  - repo: a/b
    secret: { env: REPO_SECRET }
    jobs: [{ job: x }]
`);
  const config = loadConfig(file, { env: { REPO_SECRET: "env-very-secret" } });
  for (const text of [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.repositories[0]?.secret)]) {
    assert.ok(!text.includes("very-secret"), text);
  }
});

test("secret files are read relative to the config, without their final newline", () => {
  const file = writeConfig(`
forges:
  gogs: { secret: { file: gogs.secret } }
repositories:
  - repo: a/b
    forge: gogs
    jobs: [{ job: x }]
`);
  writeFileSync(join(file, "..", "gogs.secret"), "from-file\n");
  assert.equal(loadConfig(file, { env: {} }).forges.gogs?.secret?.reveal(), "from-file");
});

test("every schema problem is reported with its line and column", () => {
  const file = writeConfig(`server:
  listen: 127.0.0.1:99999
  pth: /hooks
laminar:
  timeout: 30
repositories:
  - repo: sbrl/wiki
    insecure: true
    jobs:
      - job: "bad/name"
        events: [push, merge]
        branchs: [master]
        params: { "my-var": 1 }
`);
  assert.deepEqual(problemsOf(file), [
    `2:11 server.listen: "127.0.0.1:99999" is not HOST:PORT (127.0.0.1:9090, [::1]:9090) or unix:/path/to.sock`,
    `3:3 unknown key "pth" in server`,
    "5:12 laminar.timeout: expected a duration such as 500ms, 30s, 10m or 30d",
    "10:14 repositories.0.jobs.0.job: a Laminar job name: letters, digits, '.', '_' and '-' only",
    "11:24 repositories.0.jobs.0.events.1: an event is one of push, tag, pull_request, release",
    `12:9 unknown key "branchs" in repositories.0.jobs.0`,
    "13:19 repositories.0.jobs.0.params.my-var: a parameter name usable in a shell script: [A-Za-z_][A-Za-z0-9_]*",
  ]);
});

test("laminar.timeout is at most an hour: a 2^31 ms one must not become a timer that fires at once", () => {
  for (const timeout of ["25d", "2h"]) {
    const file = writeConfig(`laminar:\n  timeout: ${timeout}\nrepositories: []\n`);
    assert.deepEqual(problemsOf(file), [`2:12 laminar.timeout: ${timeout} is out of range: from 1s to 1h`]);
  }
  const file = writeConfig("laminar:\n  timeout: 1h\nrepositories: []\n");
  assert.equal(loadConfig(file, { env: {} }).laminar.timeoutMs, 3_600_000);
});

test("a repository without any secret is refused unless insecure", () => {
  const file = writeConfig(`repositories:
  - repo: a/b
    forge: gitea
    jobs: [{ job: x }]
  - repo: c/d
    forge: gitea
    insecure: true
    jobs: [{ job: y }]
`);
  assert.deepEqual(problemsOf(file), [
    "2:5 repositories.0 (a/b): no secret: set secret here or in forges.gitea, or say insecure: true",
  ]);
});

test("unresolvable secrets and filters that cannot apply are errors", () => {
  const file = writeConfig(`forges:
  github: { secret: { env: NOT_SET } }
repositories:
  - repo: a/b
    secret: { file: missing.secret }
    jobs:
      - job: x
        events: [tag]
        branches: [main]
        params: { rev: abc, RUN: "1" }
`);
  const problems = problemsOf(file);
  assert.equal(problems.length, 5, problems.join("\n"));
  assert.equal(problems[0], "2:21 forges.github.secret: environment variable NOT_SET is not set or empty");
  assert.match(problems[1]!, /^5:13 repositories\.0\.secret: cannot read secret file .*missing\.secret \(ENOENT\)$/);
  assert.equal(problems[2], "9:9 repositories.0.jobs.0.branches has no effect without push or pull_request in events");
  assert.equal(problems[3], `10:19 parameter "rev" is set by laminar-hooks itself; choose another name`);
  assert.equal(problems[4], `10:29 parameter "RUN" would be ignored: Laminar sets RUN for every run`);
});

test("YAML syntax errors and duplicate keys are located", () => {
  const file = writeConfig(`repositories:
  - repo: a/b
    repo: c/d
    jobs: [{ job: x }
`);
  const problems = problemsOf(file);
  assert.ok(problems.length >= 1);
  assert.match(problems.join("\n"), /^3:5 .*unique/im);
});

test("a missing config file is one clear problem", () => {
  assert.throws(() => loadConfig("/nonexistent/laminar-hooks.yml", { env: {} }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message, "/nonexistent/laminar-hooks.yml:1:1 cannot read the config file (ENOENT)");
    return true;
  });
});

test("listen accepts IPv6 and unix sockets", () => {
  const base = `forges: { github: { insecure: true } }\nrepositories: [{ repo: a/b, jobs: [{ job: x }] }]\n`;
  assert.deepEqual(loadConfig(writeConfig(`server: { listen: "[::1]:0" }\n${base}`), { env: {} }).server.listen,
    { kind: "tcp", host: "::1", port: 0 });
  assert.deepEqual(loadConfig(writeConfig(`server: { listen: "unix:/run/x.sock" }\n${base}`), { env: {} }).server.listen,
    { kind: "unix", path: "/run/x.sock" });
  assert.match(problemsOf(writeConfig(`server: { listen: "unix:x.sock" }\n${base}`))[0]!, /absolute path/);
});

test("skip_ci, paths, ignore_paths, host and templated params load into the job rule", () => {
  const file = writeConfig(`forges: { gitlab: { secret: t } }
repositories:
  - repo: group/app
    jobs:
      - job: app
        skip_ci: false
        paths: ["src/**"]
        ignore_paths: ["**/*.md"]
        host: "10.0.0.7:9997"
        params: { image: "app:{{ branch }}", n: 3 }
      - job: plain
`);
  const [app, plain] = loadConfig(file, { env: {} }).repositories[0]!.jobs;
  assert.equal(app?.skipCi, false);
  assert.deepEqual(app?.paths, ["src/**"]);
  assert.deepEqual(app?.ignorePaths, ["**/*.md"]);
  assert.equal(app?.host, "10.0.0.7:9997");
  assert.deepEqual(app?.params, {
    image: { source: "app:{{ branch }}", parts: [{ kind: "text", text: "app:" }, { kind: "param", name: "branch" }] },
    n: { source: "3", parts: [{ kind: "text", text: "3" }] },
  });
  assert.equal(plain?.skipCi, true, "skip_ci defaults to true");
  assert.equal(plain?.host, undefined, "no host: laminar.host applies");
  assert.ok(Object.isFrozen(app?.params.image?.parts[1]));
  assert.deepEqual(JSON.parse(JSON.stringify(app)), { ...app, events: ["push"] }, "a rule is plain data");
});

test("bad templates and filters that only apply to pushes are located to the column", () => {
  const file = writeConfig(`forges: { gitlab: { secret: t } }
repositories:
  - repo: group/app
    jobs:
      - job: release
        events: [tag, pull_request]
        skip_ci: false
        paths: ["src/**"]
        ignore_paths: ["docs/**"]
        params:
          a: "v{{ tag }}-{{ tga }}"
          b: x-{{ payload.commits[0].id }}
          c: '{{ payload }}'
          d: "{{ rev"
          e: "rev }}"
          f: >-
            first line
            {{ nope }}
`);
  assert.deepEqual(problemsOf(file), [
    "7:9 repositories.0.jobs.0.skip_ci has no effect without push in events: it applies to branch pushes only",
    "8:9 repositories.0.jobs.0.paths has no effect without push in events: it applies to branch pushes only",
    "9:9 repositories.0.jobs.0.ignore_paths has no effect without push in events: it applies to branch pushes only",
    `11:26 repositories.0.jobs.0.params.a: {{ tga }}: unknown name "tga"; use one of rev, ref, branch, tag, before, repo, clone_url, ssh_url, event, forge, pr, base_branch, sender, delivery or payload.FIELD`,
    "12:16 repositories.0.jobs.0.params.b: {{ payload.commits[0].id }}: array indexes are written as numbers between dots, as in payload.commits.0.id",
    "13:15 repositories.0.jobs.0.params.c: {{ payload }}: the whole payload is not one value; name a field, as in payload.repository.name",
    `14:15 repositories.0.jobs.0.params.d: "{{" is never closed with "}}"`,
    `15:19 repositories.0.jobs.0.params.e: "}}" without an opening "{{"`,
    `18:13 repositories.0.jobs.0.params.f: {{ nope }}: unknown name "nope"; use one of rev, ref, branch, tag, before, repo, clone_url, ssh_url, event, forge, pr, base_branch, sender, delivery or payload.FIELD`,
  ]);
});

test("following runs, statuses, catch-up and the page: defaults and typed values", () => {
  const defaults = loadConfig(writeConfig("repositories: [{ repo: a/b, insecure: true, jobs: [{ job: x }] }]\n"), { env: {} });
  assert.equal(defaults.server.unverifiedLimitBytes, 100 * 1024 * 1024);
  assert.equal(defaults.laminar.requeueLost, 2);
  assert.equal(defaults.laminar.httpUrl, undefined);
  assert.equal(defaults.status.context, "laminar/{{ job }}");
  assert.deepEqual(defaults.catchUp, { intervalMs: 120_000, redeliver: true });
  assert.deepEqual(defaults.ui, { enabled: true });
  assert.equal(defaults.repositories[0]?.status, true);

  const file = writeConfig(`
server: { public_url: "https://ci.example.com/hooks/", unverified_limit: 10mb }
laminar: { http: "http://127.0.0.1:8080/", requeue_lost: 0 }
forges:
  github: { secret: s, token: { env: GH_TOKEN } }
  gitlab: { secret: s, token: { env: GL_TOKEN }, api: "https://gitlab.example.com/api/v4" }
status: { context: "ci/{{ forge }}/{{job}}" }
catch_up: { interval: 0, redeliver: false }
ui: { auth: { user: admin, password: { env: UI_PASSWORD } } }
repositories:
  - { repo: a/b, forge: github, status: false, token: { env: AB_TOKEN }, poll: "file:///srv/git/a.git", jobs: [{ job: x }] }
`);
  const config = loadConfig(file, { env: { GH_TOKEN: "gh-t", GL_TOKEN: "gl-t", UI_PASSWORD: "pw", AB_TOKEN: "ab-t" } });
  assert.equal(config.server.publicUrl, "https://ci.example.com/hooks");
  assert.equal(config.server.unverifiedLimitBytes, 10 * 1024 * 1024);
  assert.equal(config.laminar.httpUrl, "http://127.0.0.1:8080");
  assert.equal(config.laminar.baseUrl, "http://127.0.0.1:8080", "links fall back to laminar.http");
  assert.equal(config.laminar.requeueLost, 0);
  assert.equal(config.forges.github?.api, "https://api.github.com");
  assert.equal(config.forges.github?.token?.reveal(), "gh-t");
  assert.equal(config.forges.gitlab?.api, "https://gitlab.example.com/api/v4");
  assert.equal(config.status.context, "ci/{{ forge }}/{{job}}");
  assert.deepEqual(config.catchUp, { intervalMs: 0, redeliver: false });
  assert.equal(config.ui.auth?.user, "admin");
  assert.equal(config.ui.auth?.password.reveal(), "pw");
  const repo = config.repositories[0];
  assert.equal(repo?.status, false);
  assert.equal(repo?.token?.reveal(), "ab-t");
  assert.equal(repo?.poll, "file:///srv/git/a.git");
  assert.ok(!inspect(config, { depth: 10 }).includes("gh-t"), "tokens stay hidden");
});

test("a status context naming anything but job, event, forge and repo is refused", () => {
  const file = writeConfig(`status: { context: "laminar/{{ payload.secret }}" }
repositories: [{ repo: a/b, insecure: true, jobs: [{ job: x }] }]
`);
  assert.deepEqual(problemsOf(file), [
    "1:20 status.context: a status context may use {{ job }}, {{ event }}, {{ forge }} and {{ repo }} only",
  ]);
});

test("poll needs an exact repository name and the forge it stands in for", () => {
  const file = writeConfig(`forges: { github: { secret: s } }
repositories:
  - { repo: "acme/*", forge: github, poll: "https://github.com/acme/app.git", jobs: [{ job: x }] }
  - { repo: acme/app, poll: "https://github.com/acme/app.git", jobs: [{ job: x }] }
`);
  assert.deepEqual(problemsOf(file), [
    `3:38 repositories.0.poll needs an exact repo name, not the glob "acme/*": one remote is one repository`,
    "4:23 repositories.1.poll needs forge: on the repository, the forge whose webhooks the poll stands in for",
  ]);
});

test("secrets: where-used loads a config whose secrets cannot be read here; using one is the error, naming it", () => {
  const file = writeConfig(`forges:
  github: { secret: { env: NOT_SET }, token: { env: TOKEN_SET } }
  gitea: { secret: { file: gitea.secret } }
repositories:
  - repo: a/b
    forge: gitea
    secret: { file: missing.secret }
    jobs: [{ job: x }]
`);
  // A path that is a folder: root (the tests' user) can read any file, not a folder as one.
  mkdirSync(join(file, "..", "gitea.secret"));
  const config = loadConfig(file, { env: { TOKEN_SET: "token-value" }, secrets: "where-used" });
  assert.deepEqual(config.unreadableSecrets.map((w) => `${w.line}:${w.col} ${w.message}`), [
    "2:21 forges.github.secret: environment variable NOT_SET is not set or empty",
    `3:20 forges.gitea.secret: cannot read secret file ${join(file, "..", "gitea.secret")} (EISDIR)`,
    `7:13 repositories.0.secret: cannot read secret file ${join(file, "..", "missing.secret")} (ENOENT)`,
  ]);
  assert.equal(config.forges.github?.token?.reveal(), "token-value", "what can be read is read");
  const unreadable = config.forges.github?.secret;
  assert.equal(unreadable?.source, "env NOT_SET");
  assert.throws(() => unreadable?.reveal(), (error: Error) =>
    error instanceof SecretUnreadableError && error.message.startsWith("forges.github.secret: environment variable NOT_SET is not set or empty; it is needed here"));
  assert.throws(() => config.repositories[0]?.secret?.equals("anything"), SecretUnreadableError);
  assert.equal(inspect(unreadable), "[secret from env NOT_SET, unreadable here]");
  assert.equal(JSON.stringify(unreadable), '"[secret]"');

  // The default, as serve and its reloads load: each one is a located problem.
  assert.deepEqual(problemsOf(file, { TOKEN_SET: "token-value" }), config.unreadableSecrets.map((w) => `${w.line}:${w.col} ${w.message}`));
});

test("secrets: where-used still refuses what is wrong wherever it is read: an empty secret file", () => {
  const file = writeConfig(`forges: { gitea: { secret: { file: empty.secret } } }
repositories: [{ repo: a/b, jobs: [{ job: x }] }]
`);
  writeFileSync(join(file, "..", "empty.secret"), "\n");
  assert.throws(() => loadConfig(file, { env: {}, secrets: "where-used" }), (error: Error) =>
    error instanceof ConfigError && /^1:28 forges\.gitea\.secret: secret file .*empty\.secret is empty$/.test(`${error.problems[0]?.line}:${error.problems[0]?.col} ${error.problems[0]?.message}`));
});

test("durations that would break the service are refused with their allowed range, at FILE:LINE:COL", () => {
  const file = writeConfig(`server:
  header_timeout: 0s
  request_timeout: 0s
laminar:
  timeout: 0s
  retry: { delay: 0ms, max_delay: 25d }
journal:
  retention: 0s
catch_up:
  interval: 1ms
repositories: []
`);
  assert.deepEqual(problemsOf(file), [
    "2:19 server.header_timeout: 0s is out of range: from 500ms to 24d",
    "3:20 server.request_timeout: 0s is out of range: from 1s to 24d",
    "5:12 laminar.timeout: 0s is out of range: from 1s to 1h",
    "6:19 laminar.retry.delay: 0ms is out of range: from 10ms to 24d",
    "6:35 laminar.retry.max_delay: 25d is out of range: from 10ms to 24d",
    "8:14 journal.retention: 0s is out of range: from 8d to 3650d",
    "10:13 catch_up.interval: 1ms is out of range: from 30s to 24d, or 0 to turn it off",
  ]);
});

test("the bounds themselves are allowed, and 0 (or 0s) still turns catch-up off", () => {
  const file = writeConfig(`server: { header_timeout: 500ms, request_timeout: 24d }
laminar: { timeout: 1s, retry: { delay: 10ms, max_delay: 24d } }
journal: { retention: 8d }
catch_up: { interval: 30s }
repositories: []
`);
  const config = loadConfig(file, { env: {} });
  assert.deepEqual([config.server.headerTimeoutMs, config.server.requestTimeoutMs, config.laminar.timeoutMs, config.laminar.retry.delayMs, config.laminar.retry.maxDelayMs, config.journal.retentionMs, config.catchUp.intervalMs],
    [500, 24 * 86_400_000, 1_000, 10, 24 * 86_400_000, 8 * 86_400_000, 30_000]);
  // 24d is under the 2^31-1 ms a Node timer holds; a day more is not.
  assert.ok(24 * 86_400_000 <= 2 ** 31 - 1 && 25 * 86_400_000 > 2 ** 31 - 1);
  for (const off of ["0", "\"0\"", "0s", "0ms"]) {
    const offFile = writeConfig(`catch_up: { interval: ${off} }\nrepositories: []\n`);
    assert.equal(loadConfig(offFile, { env: {} }).catchUp.intervalMs, 0, off);
  }
});

test("retry.max_delay below retry.delay is refused, naming both", () => {
  const file = writeConfig(`laminar:
  retry: { delay: 10m, max_delay: 1s }
repositories: []
`);
  assert.deepEqual(problemsOf(file), [
    "2:35 laminar.retry.max_delay (1s) is shorter than laminar.retry.delay (10m): the wait between attempts grows from delay up to max_delay; raise max_delay or lower delay",
  ]);
});

test("laminar.home is optional, and a relative one is taken from the config's folder", () => {
  const without = loadConfig(writeConfig("repositories: []\n"), { env: {} });
  assert.equal(without.laminar.home, undefined);
  const absolute = loadConfig(writeConfig("laminar: { home: /var/lib/laminar }\nrepositories: []\n"), { env: {} });
  assert.equal(absolute.laminar.home, "/var/lib/laminar");
  const file = writeConfig("laminar: { home: laminar }\nrepositories: []\n");
  assert.equal(loadConfig(file, { env: {} }).laminar.home, join(file, "..", "laminar"));
  assert.deepEqual(problemsOf(writeConfig("laminar: { home: \"\" }\nrepositories: []\n")).map((p) => p.split(" ")[0]), ["1:18"]);
});

test("supersede: queued or running per job; it needs laminar.http and a push or pull request to act on", () => {
  const jobs = (job: string) => `forges: { github: { secret: s } }
repositories:
  - repo: a/b
    jobs:
      - ${job}
`;
  const followed = loadConfig(writeConfig(`laminar: { http: "http://127.0.0.1:8080" }\n${jobs("{ job: j, events: [push], supersede: running }")}`), { env: {} });
  assert.equal(followed.repositories[0]!.jobs[0]!.supersede, "running");
  assert.equal(loadConfig(writeConfig(`laminar: { http: "http://127.0.0.1:8080" }\n${jobs("{ job: j }")}`), { env: {} }).repositories[0]!.jobs[0]!.supersede, undefined,
    "default: every push builds");
  assert.deepEqual(problemsOf(writeConfig(jobs("{ job: j, supersede: queued }"))),
    ["5:19 repositories.0.jobs.0.supersede needs laminar.http: an older run is aborted when laminard's event stream says it started"]);
  assert.match(problemsOf(writeConfig(`laminar: { http: "http://127.0.0.1:8080" }\n${jobs("{ job: j, events: [tag], supersede: queued }")}`))[0]!,
    /supersede has no effect without push or pull_request/);
  assert.match(problemsOf(writeConfig(`laminar: { http: "http://127.0.0.1:8080" }\n${jobs("{ job: j, supersede: always }")}`))[0]!,
    /supersede is queued .* or running/);
});
