import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { lsRemote } from "../../src/catch-up/ls-remote.ts";
import { createGitKit, type GitKit } from "./git-kit.ts";

let kit: GitKit;
before(() => {
  kit = createGitKit();
});
after(() => kit.remove());

test("lists branch and tag heads of a real remote, annotated tags peeled to their commit", async () => {
  const remote = kit.remote("listed");
  const main = remote.commit("first");
  remote.git("tag", "light");
  remote.git("tag", "-a", "-m", "annotated", "v1.0");
  remote.git("push", "--quiet", "origin", "main", "light", "v1.0");
  const listed = await lsRemote(remote.url, { timeoutMs: 10_000, env: kit.env });
  assert.ok(listed.ok, listed.ok ? "" : listed.reason);
  assert.deepEqual([...listed.heads].sort(), [
    ["refs/heads/main", { sha: main, peeled: main }],
    ["refs/tags/light", { sha: main, peeled: main }],
    ["refs/tags/v1.0", { sha: remote.rev("refs/tags/v1.0"), peeled: main }],
  ]);
});

test("an empty remote has no heads", async () => {
  const listed = await lsRemote(kit.remote("empty").url, { timeoutMs: 10_000, env: kit.env });
  assert.deepEqual(listed, { ok: true, heads: new Map() });
});

test("a remote that is not there fails with git's words; a password in the URL never shows", async () => {
  const listed = await lsRemote("https://deploy:hunter2@127.0.0.1:1/acme/app.git", { timeoutMs: 10_000, env: kit.env });
  assert.equal(listed.ok, false);
  assert.match(listed.ok ? "" : listed.reason, /^git ls-remote failed \(exit 128\): fatal: unable to access 'https:\/\/127\.0\.0\.1:1\/acme\/app\.git\/'/);
  assert.ok(!JSON.stringify(listed).includes("hunter2"));
});

test("a remote that never answers is given up after the timeout", async () => {
  const git = join(kit.dir, "hanging-git");
  writeFileSync(git, "#!/bin/sh\nexec sleep 60\n");
  chmodSync(git, 0o755);
  const listed = await lsRemote("https://example.com/slow.git", { git, timeoutMs: 200, env: kit.env });
  assert.deepEqual(listed, { ok: false, reason: "git ls-remote did not answer within 200 ms" });
});

test("git missing is a failure with a reason, not a crash", async () => {
  const listed = await lsRemote("file:///nowhere.git", { git: join(kit.dir, "no-such-git"), timeoutMs: 1_000, env: kit.env });
  assert.equal(listed.ok, false);
  assert.match(listed.ok ? "" : listed.reason, /ENOENT/);
});

test("a git that repeats the URL with its password in a message is redacted too", async () => {
  // Today's git strips credentials from "unable to access"; older versions and other messages did not.
  const git = join(kit.dir, "echoing-git");
  writeFileSync(git, `#!/bin/sh\nfor url; do :; done\necho "fatal: repository '$url' not found" >&2\nexit 128\n`);
  chmodSync(git, 0o755);
  const listed = await lsRemote("https://deploy:hunter2@git.example.com/app.git", { git, timeoutMs: 5_000, env: kit.env });
  assert.deepEqual(listed, { ok: false, reason: "git ls-remote failed (exit 128): fatal: repository 'https://git.example.com/app.git' not found" });
});
