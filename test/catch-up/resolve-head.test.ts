import assert from "node:assert/strict";
import { after, test } from "node:test";
import { resolveHead } from "../../src/catch-up/resolve-head.ts";
import { parseConfig } from "../../src/config/load-config.ts";
import { forgeApis } from "../../src/forges/api-clients.ts";
import { createGitKit } from "./git-kit.ts";

const kit = createGitKit();
after(() => kit.remove());
const remote = kit.remote("app");
const main = remote.commit("first");
remote.git("push", "--quiet", "origin", "main");
remote.git("tag", "-a", "-m", "release", "v1");
remote.git("tag", "both");
remote.git("branch", "both");
remote.git("push", "--quiet", "origin", "v1", "refs/tags/both", "refs/heads/both");
const config = parseConfig("forges:\n  gitea: { secret: s }\nrepositories: []\n", "/etc/laminar-hooks/config.yml", { env: {}, readFile: () => "", baseDir: "/" });
const options = { timeoutMs: 10_000, env: kit.env, config, apis: forgeApis() };

test("a branch or a tag by name or full ref, to its commit (an annotated tag peeled), from poll: or the last clone URL", async () => {
  assert.deepEqual(await resolveHead({ forge: "gitea", repo: "a/app", ref: "main", poll: remote.url }, options), { ok: true, ref: "refs/heads/main", sha: main, cloneUrl: remote.url });
  assert.deepEqual(await resolveHead({ forge: "gitea", repo: "a/app", ref: "v1", lastCloneUrl: remote.url }, options), { ok: true, ref: "refs/tags/v1", sha: main, cloneUrl: remote.url });
  assert.equal((await resolveHead({ forge: "gitea", repo: "a/app", ref: "refs/tags/both", poll: remote.url }, options) as { ref: string }).ref, "refs/tags/both");
});

test("a name that is both, one the remote lacks, no remote known (nor a forge API), a remote that fails: each says so", async () => {
  assert.match(JSON.stringify(await resolveHead({ forge: "gitea", repo: "a/app", ref: "both", poll: remote.url }, options)), /both a branch and a tag.*refs\/heads\/both or refs\/tags\/both/);
  assert.deepEqual(await resolveHead({ forge: "gitea", repo: "a/app", ref: "nope", poll: remote.url }, options), { ok: false, status: 404, reason: `${remote.url} has no branch or tag nope` });
  assert.equal((await resolveHead({ forge: "gitea", repo: "a/app", ref: "main" }, options) as { status: number }).status, 409);
  const gone = await resolveHead({ forge: "gitea", repo: "a/app", ref: "main", poll: "https://user:s3cret@127.0.0.1:1/nothing.git" }, options);
  assert.equal((gone as { status: number }).status, 503);
  assert.doesNotMatch(JSON.stringify(gone), /s3cret/, "the remote's password is never shown");
});
