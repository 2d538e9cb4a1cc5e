// One pass, driven step by step: real git remotes and a real journal, with the grace's wait in the
// test's hands, so that "a webhook arriving during the grace wins" is tested without a clock race.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { lsRemote } from "../../src/catch-up/ls-remote.ts";
import { runPass, type PassDeps } from "../../src/catch-up/run-pass.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { CatchUpStore, openJournal, type Journal } from "../../src/journal/index.ts";
import type { Config } from "../../src/types.ts";
import { createGitKit, type GitKit, type GitRemote } from "./git-kit.ts";

let kit: GitKit;
let remote: GitRemote;
let dir: string;
let journal: Journal;
let config: Config;
let kicks = 0;

before(() => {
  kit = createGitKit();
  remote = kit.remote("app");
  remote.commit("first");
  remote.git("push", "--quiet", "origin", "main");
  dir = mkdtempSync(join(tmpdir(), "lh-run-pass-"));
  writeFileSync(join(dir, "config.yml"), `
catch_up: { interval: 40s }
forges: { gitea: { secret: s } }
repositories:
  - { repo: team/app, forge: gitea, poll: ${JSON.stringify(remote.url)}, jobs: [{ job: app, events: [push] }] }
`);
  config = loadConfig(join(dir, "config.yml"), { env: {} });
  journal = openJournal(join(dir, "journal.db"));
});
after(() => {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
  kit.remove();
});

function deps(sleep: PassDeps["sleep"]): PassDeps {
  return {
    config,
    store: journal.catchUp,
    services: { journal, kick: () => (kicks += 1), observe: { delivery: () => {} }, now: Date.now },
    listHeads: (url) => lsRemote(url, { timeoutMs: 10_000, env: kit.env }),
    graceMs: 10_000,
    sleep,
    now: Date.now,
  };
}
const noWait = () => Promise.reject(new Error("this pass must not wait"));

/** The webhook Gitea sends for a push, as the HTTP layer journals it. */
function webhookOf(ref: string, head: string) {
  return journal.commitDelivery({
    forge: "gitea", deliveryId: `gitea-${head}`, receivedAt: Date.now(), forgeEvent: "push", kind: "push", repo: "team/app", ref,
    headers: {}, payload: "{}", trace: [], jobs: [{ job: "app", params: { rev: head }, host: "", reason: "Gitea push" }],
    head: { repo: "team/app", ref, shas: [head], polled: false, since: "0".repeat(40) },
  });
}

test("the first pass records the heads and does not wait", async () => {
  const report = await runPass(deps(noWait));
  assert.deepEqual(report.polls.map((poll) => [poll.outcome, poll.heads]), [["baseline", 1]]);
});

test("a webhook that arrives while the pass waits its grace wins: the pass finds the push delivered", async () => {
  const head = remote.commit("raced");
  remote.git("push", "--quiet", "origin", "main");
  const waits: number[] = [];
  const report = await runPass(deps(async (ms) => {
    waits.push(ms);
    await webhookOf("refs/heads/main", head);
  }));
  assert.equal(waits.length, 1);
  assert.ok(waits[0]! > 9_000 && waits[0]! <= 10_000, `waited the grace from when the remote was asked (${waits[0]} ms)`);
  assert.deepEqual(report.polls[0]?.findings.map((finding) => [finding.kind, finding.ref]), [["delivered", "refs/heads/main"]]);
  assert.equal(journal.getDelivery(`poll:team/app:refs/heads/main:${head}`), undefined);
});

test("with no webhook after the grace, the push becomes a delivery; the next pass neither waits nor builds", async () => {
  const head = remote.commit("missed");
  remote.git("push", "--quiet", "origin", "main");
  const kicked = kicks;
  const report = await runPass(deps(() => Promise.resolve()));
  assert.deepEqual(report.polls[0]?.findings.map((finding) => finding.kind), ["queued"]);
  assert.equal(journal.getDelivery(`poll:team/app:refs/heads/main:${head}`)?.dispatches[0]?.params.forge, "gitea");
  assert.equal(kicks, kicked + 1, "the dispatcher is woken");
  const next = await runPass(deps(noWait));
  assert.deepEqual(next.polls[0]?.findings, []);
});

test("a dry run neither waits nor writes", async () => {
  const head = remote.commit("dry");
  remote.git("push", "--quiet", "origin", "main");
  const report = await runPass(deps(noWait), { dryRun: true });
  assert.deepEqual(report.polls[0]?.findings.map((finding) => finding.kind), ["would-queue"]);
  assert.equal(journal.getDelivery(`poll:team/app:refs/heads/main:${head}`), undefined);
  const real = await runPass(deps(() => Promise.resolve()));
  assert.deepEqual(real.polls[0]?.findings.map((finding) => finding.kind), ["queued"], "the dry run left the heads as they were");
});
