import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../support/run-cli.ts";

function writeConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "lh-check-")), "config.yml");
  writeFileSync(file, text);
  return file;
}

test("check prints the routing table and where secrets come from, never a secret", async () => {
  const file = writeConfig(`
laminar: { http: "http://127.0.0.1:8080" }
forges:
  github: { secret: { env: GH_HOOK_SECRET } }
  gitea: { secret: inline-do-not-print }
repositories:
  - repo: sbrl/wiki
    forge: github
    jobs:
      - { job: wiki, events: [push], branches: [master, "release/*"] }
      - { job: wiki-preview, events: [push], supersede: running }
      - { job: wiki-release, events: [tag], tags: ["v*"], params: { channel: stable } }
`);
  const result = await runCli(["check", "--config", file], { ...process.env, GH_HOOK_SECRET: "env-do-not-print" });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /is valid/);
  assert.match(result.stdout, /github \(secret from env GH_HOOK_SECRET\), gitea \(secret from the config file\)/);
  assert.match(result.stdout, /push; branches master, release\/\* → wiki/);
  assert.match(result.stdout, /push; supersede: running → wiki-preview/);
  assert.match(result.stdout, /tag; tags v\* → wiki-release {2}\(channel=stable\)/);
  assert.ok(!result.stdout.includes("do-not-print") && !result.stderr.includes("do-not-print"));
});

test("check exits 1 with every problem as FILE:LINE:COL message", async () => {
  const file = writeConfig(`server:
  listen: nowhere
repositories:
  - repo: a/b
    insecure: true
    jobs:
      - job: x
        branchs: [main]
`);
  const result = await runCli(["check", "--config", file]);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.deepEqual(result.stderr.trim().split("\n"), [
    `${file}:2:11 server.listen: "nowhere" is not HOST:PORT (127.0.0.1:9090, [::1]:9090) or unix:/path/to.sock`,
    `${file}:8:9 unknown key "branchs" in repositories.0.jobs.0`,
  ]);
});

test("check refuses a template that names the hook's secret in the payload, with FILE:LINE:COL", async () => {
  const file = writeConfig(`repositories:
  - repo: a/b
    insecure: true
    jobs:
      - job: x
        params: { token: "s={{ payload.secret }}" }
`);
  const result = await runCli(["check", "--config", file]);
  assert.equal(result.code, 1, result.stdout);
  assert.deepEqual(result.stderr.trim().split("\n"), [
    `${file}:6:29 repositories.0.jobs.0.params.token: {{ payload.secret }}: payload.secret carries the hook's secret; laminar-hooks removes it from every payload and never passes it to a job`,
  ]);
});

test("check finds the config through $LAMINAR_HOOKS_CONFIG", async () => {
  const file = writeConfig("repositories: [{ repo: a/b, insecure: true, jobs: [{ job: x }] }]\n");
  const result = await runCli(["check"], { ...process.env, LAMINAR_HOOKS_CONFIG: file });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`config ${file} is valid`));
  assert.match(result.stdout, /a\/b: INSECURE/);
});

test("check refuses a forge token without the API root it needs, and warns about unusable ones", async () => {
  const file = writeConfig(`forges:
  gitea: { secret: s, token: t }
  gogs: { secret: s, token: t }
  github: { secret: s, token: t }
repositories:
  - { repo: a/b, forge: gitlab, insecure: true, token: t, jobs: [{ job: x }] }
`);
  const result = await runCli(["check", "--config", file]);
  assert.equal(result.code, 1);
  assert.deepEqual(result.stderr.trim().split("\n"), [
    `${file}:2:23 forges.gitea.token needs forges.gitea.api, the API root (https://HOST/api/v1)`,
    `${file}:6:49 repositories.0.token needs forges.gitlab.api, the API root (https://HOST/api/v4)`,
  ]);
});

test("check warns, and still passes, when statuses cannot follow runs or a token has no use", async () => {
  const file = writeConfig(`forges:
  github: { secret: s, token: t }
  gogs: { secret: s, token: t }
repositories:
  - { repo: a/b, forge: github, jobs: [{ job: x }] }
`);
  const result = await runCli(["check", "--config", file]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.stderr.trim().split("\n"), [
    `${file}:1:1 warning: forge tokens are set but laminar.http is not: runs cannot be followed, so only queued and error statuses are posted`,
    `${file}:1:1 warning: laminar.http is not set: a laminarc call that does not answer (killed at laminar.timeout, or in flight when laminar-hooks is killed) is made again without asking laminard whether it queued the job, and may build twice`,
    `${file}:1:1 warning: catch_up.redeliver needs server.public_url to find the forge's hooks; failed deliveries are not redelivered`,
    `${file}:3:22 warning: forges.gogs.token is used only by repo add and the page's Build, which also need forges.gogs.api (https://HOST/api/v1): Gogs has no commit status API and no delivery log`,
  ]);
  assert.ok(!result.stdout.includes(": t") && !result.stderr.includes("token: t"));
});

test("check warns that without laminar.http an unanswered laminarc call may build twice, and not with it", async () => {
  const repositories = `repositories:\n  - { repo: a/b, secret: s, jobs: [{ job: x }] }\n`;
  const without = await runCli(["check", "--config", writeConfig(repositories)]);
  assert.equal(without.code, 0, without.stderr);
  assert.match(without.stderr, /:1:1 warning: laminar.http is not set: a laminarc call that does not answer .* may build twice/);
  const withHttp = await runCli(["check", "--config", writeConfig(`laminar: { http: "http://127.0.0.1:8080" }\n${repositories}`)]);
  assert.equal(withHttp.code, 0, withHttp.stderr);
  assert.doesNotMatch(withHttp.stderr, /may build twice/);
});

test("check refuses headers that may take longer than the request, and warns of a body limit no unverified body can reach", async () => {
  const file = writeConfig(`server:
  header_timeout: 40s
  request_timeout: 30s
  body_limit: 200mb
repositories: [{ repo: a/b, insecure: true, jobs: [{ job: x }] }]
`);
  const result = await runCli(["check", "--config", file]);
  assert.equal(result.code, 1);
  assert.deepEqual(result.stderr.trim().split("\n"), [
    `${file}:2:3 server.header_timeout is longer than server.request_timeout: the headers are part of the request; raise request_timeout or lower header_timeout`,
  ]);
  const warned = writeConfig(`server: { body_limit: 200mb }
repositories: [{ repo: a/b, insecure: true, jobs: [{ job: x }] }]
`);
  const ok = await runCli(["check", "--config", warned]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /:1:11 warning: server.body_limit is larger than server.unverified_limit/);
});
