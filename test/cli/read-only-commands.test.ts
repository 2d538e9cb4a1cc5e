// The commands that only read (`deliveries`, `show`, `check`, `catch-up --dry-run`) as an operator
// runs them: in a shell that cannot read the service's secrets, against the journal a real service
// wrote and keeps open; and with a mistyped journal.path, which they must not create.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { delivery } from "../journal/journal-fixtures.ts";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { runCli } from "../support/run-cli.ts";
import { startTestService, type TestService } from "../support/test-service.ts";

const SECRETS = { LH_GITHUB_SECRET: "gh-hook-secret-not-shown", LH_GITHUB_TOKEN: "gh-token-not-shown", LH_UI_PASSWORD: "ui-password-not-shown" };

let svc: TestService;
let secretsDir: string;
let giteaSecretFile: string;
/** The operator's shell: none of the service's variables. */
let operatorEnv: NodeJS.ProcessEnv;
const ids: string[] = [];

before(async () => {
  secretsDir = mkdtempSync(join(tmpdir(), "lh-secrets-"));
  giteaSecretFile = join(secretsDir, "gitea.secret");
  writeFileSync(giteaSecretFile, "gitea-secret-not-shown\n");
  svc = await startTestService({
    config: `
forges:
  github: { secret: { env: LH_GITHUB_SECRET }, token: { env: LH_GITHUB_TOKEN }, api: "http://127.0.0.1:9" }
  gitea: { secret: { file: ${JSON.stringify(giteaSecretFile)} } }
ui:
  auth: { user: admin, password: { env: LH_UI_PASSWORD } }
repositories:
  - repo: acme/app
    status: false
    jobs:
      - { job: app, events: [push], branches: [main] }
`,
    env: SECRETS,
  });
  // Deliveries as the forges would send them, signed with the secrets the service read at its start.
  const serviceEnv = { ...svc.fake.env, ...SECRETS };
  for (const forge of ["github", "gitea"]) {
    const sent = await runCli(["send", "--url", `${svc.url}/hooks/${forge}`, "--forge", forge, "--repo", "acme/app", "--config", svc.configFile], serviceEnv);
    assert.equal(sent.code, 0, sent.stdout + sent.stderr);
    ids.push(/delivery ([0-9a-f-]{36})/.exec(sent.stdout)![1]!);
  }
  await waitFor(() => ids.every((id) => svc.service.journal.getDelivery(id)?.status === "done"), 10_000, "both deliveries built");
  // Tests run as root, who can read any file: a secret file only the service's user may read is
  // stood in for by a path this shell cannot read as a file (a folder: EISDIR).
  rmSync(giteaSecretFile);
  mkdirSync(giteaSecretFile);
  operatorEnv = { ...svc.fake.env };
  for (const name of Object.keys(SECRETS)) delete operatorEnv[name];
});
after(async () => {
  await svc.stop();
  rmSync(secretsDir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli([...args, "--config", svc.configFile], operatorEnv);
const lineOf = (key: string) => readFileSync(svc.configFile, "utf8").split("\n").findIndex((line) => line.includes(key)) + 1;

test("deliveries and show read the running service's journal without its secrets", async () => {
  const listed = await cli("deliveries");
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(listed.stderr, "");
  assert.match(listed.stdout, /gitea\s+push\s+acme\/app\s+main\s+done\s+app:2/);
  assert.match(listed.stdout, /github\s+push\s+acme\/app\s+main\s+done\s+app:1/);

  const shown = await cli("show", ids[1]!);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /dispatch \d+: app done as app:2/);
  for (const text of [listed.stdout, shown.stdout, shown.stderr]) {
    assert.ok(!/not-shown/.test(text), text);
  }
  // The service goes on writing while they read.
  assert.equal((await svc.service.journal.commitDelivery(delivery({ deliveryId: "after-the-reads" }))).duplicate, false);
});

test("check warns about each secret it cannot read, at FILE:LINE:COL, and exits 0", async () => {
  const checked = await cli("check");
  assert.equal(checked.code, 0, checked.stderr);
  assert.match(checked.stdout, /is valid/);
  assert.match(checked.stdout, /github \(secret from env LH_GITHUB_SECRET, unreadable here\), gitea \(secret from file \S+gitea\.secret, unreadable here\)/);
  const file = svc.configFile;
  const github = lineOf("github:");
  const here = "here (the service must be able to read it: check as its user, with its environment)";
  assert.deepEqual(checked.stderr.trim().split("\n").filter((line) => /warning: (forges|ui)\./.test(line)), [
    `${file}:${github}:21 warning: forges.github.secret: environment variable LH_GITHUB_SECRET is not set or empty ${here}`,
    `${file}:${github}:55 warning: forges.github.token: environment variable LH_GITHUB_TOKEN is not set or empty ${here}`,
    `${file}:${lineOf("gitea:")}:20 warning: forges.gitea.secret: cannot read secret file ${giteaSecretFile} (EISDIR) ${here}`,
    `${file}:${lineOf("auth:")}:34 warning: ui.auth.password: environment variable LH_UI_PASSWORD is not set or empty ${here}`,
  ]);
});

test("check still exits 1 on a real problem, listing the unreadable secrets as warnings beside it", async () => {
  const broken = join(dirname(svc.configFile), "broken.yml");
  writeFileSync(broken, readFileSync(svc.configFile, "utf8").replace("branches: [main]", "branchs: [main]"));
  const checked = await runCli(["check", "--config", broken], operatorEnv);
  assert.equal(checked.code, 1);
  assert.match(checked.stderr, /unknown key "branchs"/);
});

test("serve refuses at start the secrets it cannot read, with the same located errors", async () => {
  const served = await cli("serve");
  assert.equal(served.code, 1);
  const file = svc.configFile;
  assert.deepEqual(served.stderr.trim().split("\n"), [
    `${file}:${lineOf("github:")}:21 forges.github.secret: environment variable LH_GITHUB_SECRET is not set or empty`,
    `${file}:${lineOf("github:")}:55 forges.github.token: environment variable LH_GITHUB_TOKEN is not set or empty`,
    `${file}:${lineOf("gitea:")}:20 forges.gitea.secret: cannot read secret file ${giteaSecretFile} (EISDIR)`,
    `${file}:${lineOf("auth:")}:34 ui.auth.password: environment variable LH_UI_PASSWORD is not set or empty`,
  ]);
});

test("send needs only the secret it signs with, and names it when it cannot be read", async () => {
  const sent = await cli("send", "--url", `${svc.url}/hooks/gitea`, "--forge", "gitea", "--repo", "acme/app");
  assert.equal(sent.code, 1);
  assert.equal(sent.stdout, "");
  assert.equal(sent.stderr.trim(),
    `forges.gitea.secret: cannot read secret file ${giteaSecretFile} (EISDIR): it holds the gitea secret for acme/app (or use --secret-env)`);
});

test("a mistyped journal.path is 'no journal at PATH' for every reading command, and nothing is created", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lh-no-journal-"));
  try {
    const missing = join(dir, "data", "jounral.db");
    const config = join(dir, "config.yml");
    writeFileSync(config, `journal: { path: ${JSON.stringify(missing)} }
repositories:
  - repo: acme/app
    forge: github
    insecure: true
    poll: ${JSON.stringify(join(dir, "no-such-remote.git"))}
    jobs: [{ job: app }]
`);
    for (const args of [["show", "1"], ["deliveries"], ["redeliver", "1"]]) {
      const result = await runCli([...args, "--config", config], operatorEnv);
      assert.equal(result.code, 1, args.join(" "));
      assert.equal(result.stderr.trim(), `no journal at ${missing} (journal.path in ${config})`, args.join(" "));
    }
    const dry = await runCli(["catch-up", "--dry-run", "--config", config], operatorEnv);
    assert.match(dry.stderr, new RegExp(`note: no journal at ${missing} \\(journal.path in ${config}\\): read as an empty one`));
    assert.equal(existsSync(missing), false);
    assert.equal(existsSync(dirname(missing)), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("catch-up needs the token only where it asks the forge: that repository fails, naming it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lh-catch-up-token-"));
  try {
    const config = join(dir, "config.yml");
    writeFileSync(config, `server: { public_url: "https://ci.example.com/hooks" }
journal: { path: ${JSON.stringify(svc.service.config().journal.path)} }
forges:
  github: { secret: { env: LH_GITHUB_SECRET }, token: { env: LH_GITHUB_TOKEN }, api: "http://127.0.0.1:9" }
repositories:
  - { repo: acme/app, forge: github, jobs: [{ job: app }] }
`);
    const dry = await runCli(["catch-up", "--dry-run", "--config", config], operatorEnv);
    assert.equal(dry.code, 1);
    assert.equal(dry.stderr, "");
    assert.match(dry.stdout, /^acme\/app \(GitHub delivery log\): failed: forges\.github\.token: environment variable LH_GITHUB_TOKEN is not set or empty; it is needed here/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
