// `laminar-hooks catch-up` against real git remotes and a real journal, without the service: what
// it journals, the service's dispatcher would queue.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { openJournal } from "../../src/journal/index.ts";
import { createGitKit, type GitKit, type GitRemote } from "../catch-up/git-kit.ts";
import { runCli } from "../support/run-cli.ts";

let kit: GitKit;
let dir: string;
let configFile: string;
let app: GitRemote;
let journalPath: string;

before(() => {
  kit = createGitKit();
  app = kit.remote("app");
  app.commit("first");
  app.git("push", "--quiet", "origin", "main");
  dir = mkdtempSync(join(tmpdir(), "lh-catch-up-cli-"));
  configFile = join(dir, "config.yml");
  journalPath = join(dir, "journal.db");
  writeFileSync(configFile, `
journal: { path: ${JSON.stringify(journalPath)} }
catch_up: { interval: 30s }
forges: { github: { secret: s } }
repositories:
  - repo: acme/app
    forge: github
    poll: ${JSON.stringify(app.url)}
    jobs: [{ job: app, events: [push] }]
  - repo: acme/private
    forge: github
    poll: "https://deploy:hunter2@127.0.0.1:1/acme/private.git"
    jobs: [{ job: private }]
`);
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  kit.remove();
});

const cli = (...args: string[]) => runCli(["catch-up", "--config", configFile, ...args], { ...process.env, ...kit.env });

/** The journal's bytes, WAL included: a dry run must leave them as they were. */
function journalDigest(): string {
  const hash = createHash("sha256");
  for (const file of [journalPath, `${journalPath}-wal`]) hash.update(existsSync(file) ? readFileSync(file) : "");
  return hash.digest("hex");
}

test("the first pass records the heads; a dry run after a push says what it would do and writes nothing", async () => {
  const first = await cli("--repo", "ACME/app");
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^acme\/app \(file:\/\/.*app\.git\): 1 heads; first poll: heads recorded, nothing built$/m);

  const head = app.commit("missed");
  app.git("push", "--quiet", "origin", "main");
  const digest = journalDigest();
  const dry = await cli("--repo", "acme/app", "--dry-run");
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`branch main at ${head.slice(0, 7)}: no delivery brought it; would be routed as poll:acme/app:refs/heads/main:${head} \\(dry run\\)`));
  assert.equal(journalDigest(), digest, "the journal is untouched");
});

test("a pass journals the push it found; deliveries marks it; the next pass finds nothing", async () => {
  const head = app.rev("main");
  const run = await cli("--repo", "acme/app");
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /waiting \d\.\d s for the webhooks of what moved/);
  assert.match(run.stdout, new RegExp(`branch main at ${head.slice(0, 7)}: no delivery brought it; delivery \\d+ \\(poll:acme/app:refs/heads/main:${head}\\) queues app`));
  const journal = openJournal(journalPath);
  const kept = journal.getDelivery(`poll:acme/app:refs/heads/main:${head}`);
  journal.close();
  assert.equal(kept?.dispatches[0]?.status, "pending", "the service's dispatcher queues it");
  assert.equal(kept?.dispatches[0]?.params.rev, head);

  const listed = await runCli(["deliveries", "--config", configFile]);
  assert.match(listed.stdout, /github\s+push \(poll\)\s+acme\/app\s+main\s+queued\s+app pending/);
  const json = JSON.parse((await runCli(["deliveries", "--json", "--config", configFile])).stdout) as { foundBy?: string }[];
  assert.equal(json[0]?.foundBy, "poll");

  const again = await cli("--repo", "acme/app");
  assert.match(again.stdout, /acme\/app \(.*\): 1 heads, none moved/);
});

test("a remote that cannot be asked exits 1 with git's reason, and never shows its password", async () => {
  const run = await cli();
  assert.equal(run.code, 1);
  assert.match(run.stdout, /^acme\/private \(https:\/\/127\.0\.0\.1:1\/acme\/private\.git\): poll failed: git ls-remote failed \(exit 128\): /m);
  assert.ok(!`${run.stdout}${run.stderr}`.includes("hunter2"));
});

test("an unknown --repo is an error", async () => {
  const run = await cli("--repo", "acme/none");
  assert.equal(run.code, 1);
  assert.match(run.stderr, /repository acme\/none is not one in .* catch-up can check: it needs poll: and forge:/);
});
