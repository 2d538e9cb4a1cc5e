// `repo rotate-secret` against a running service and the fake GitHub API, while a "forge" keeps
// sending deliveries signed with whatever secret its hook has at that moment: not one is refused
// across the rotation, the hook keeps its id, and `--finish` leaves only the new secret.
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { startFakeGitHubApi } from "../fixtures/fake-github-api.ts";
import { closedPort } from "../report/report-kit.ts";
import { anotherPush, payload } from "../support/payloads.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders, startTestService } from "../support/test-service.ts";

const PUBLIC_URL = "https://ci.example.com/hooks";
const TOKEN = "ghp_rotateToken0123456789";
const REPO = "Codertocat/Hello-World";

async function setup(t: { after: (fn: () => Promise<void>) => void }, options: { watchConfig?: boolean } = {}) {
  const github = await startFakeGitHubApi({ token: TOKEN });
  t.after(() => github.close());
  github.hooks.addHook(REPO, { id: 9, url: PUBLIC_URL, active: true, events: ["push"], secret: "old-secret" });
  github.hooks.addHook(REPO, { id: 10, url: "https://ci.example.com/elsewhere", active: true, events: ["push"], secret: "theirs" });
  const env = { OLD_SECRET: "old-secret" };
  const service = await startTestService({
    server: `  public_url: ${PUBLIC_URL}\n`,
    config: `forges:\n  github:\n    token: ${TOKEN}\n    api: ${github.url}\nrepositories:\n  - repo: ${REPO}\n    forge: github\n    secret: { env: OLD_SECRET }   # rotated below\n    jobs: [{ job: hello, events: [push] }]\n`,
    env,
    ...options,
  });
  t.after(() => service.stop());
  const run = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["repo", "rotate-secret", REPO, ...args, "--config", service.configFile], { out: (line) => out.push(line), err: (line) => err.push(line), env });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
  return { github, service, run };
}

/** A slow service: it reloads its config `delayMs` after each change of the file, not at once. */
function reloadSlowly(service: Awaited<ReturnType<typeof startTestService>>, delayMs: number): () => void {
  let stopped = false;
  void (async () => {
    let seen = readFileSync(service.configFile, "utf8");
    while (!stopped) {
      const now = readFileSync(service.configFile, "utf8");
      if (now !== seen) {
        seen = now;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        assert.equal(service.service.reload().ok, true);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return () => {
    stopped = true;
  };
}

test("rotation with no 401 across it: both verify, the service takes the new one, then the hook gets it", async (t) => {
  const { github, service, run } = await setup(t, { watchConfig: false });
  t.after(reloadSlowly(service, 500));
  const push5 = payload("github/push-5.json");
  const answers: { status: number; secret: string; id: string }[] = [];
  let sending = true;
  // The forge: signs each delivery with the secret its hook has right now.
  const forge = (async () => {
    for (let n = 0; sending; n += 1) {
      const secret = github.hooks.hooksOf(REPO)[0]?.secret ?? "";
      const id = `rotate-${n}`;
      // A push of its own each time: one push builds once, and a copy would be answered 200.
      const push = anotherPush(push5, id);
      const answer = await service.post("/hooks", push, githubHeaders("push", id, githubSignature(secret, push)));
      answers.push({ status: answer.status, secret, id });
    }
  })();
  // And the moment the hook changes, a push signed with the new secret, before GitHub even answers.
  const atChange: Promise<number>[] = [];
  github.hooks.onHookChanged = (_repo, hook) => {
    const push = anotherPush(push5, `at-change-${atChange.length}`);
    atChange.push(service.post("/hooks", push, githubHeaders("push", `at-change-${atChange.length}`, githubSignature(hook.secret ?? "", push))).then((answer) => answer.status));
  };
  const before = readFileSync(service.configFile, "utf8");
  const rotated = await run("--url", `${service.url}/hooks`);
  assert.equal(rotated.code, 0, rotated.err);
  const newSecret = readFileSync(join(service.dir, "Codertocat-Hello-World.secret"), "utf8").trim();
  assert.equal(statSync(join(service.dir, "Codertocat-Hello-World.secret")).mode & 0o777, 0o600);
  assert.equal(readFileSync(service.configFile, "utf8"), before.replace("{ env: OLD_SECRET }", "[{ env: OLD_SECRET }, { file: Codertocat-Hello-World.secret }]"));
  const [ours, theirs] = github.hooks.hooksOf(REPO);
  assert.equal(ours?.id, 9);
  assert.equal(ours?.secret, newSecret, "the hook signs with the new secret");
  assert.equal(theirs?.secret, "theirs", "another service's hook is left alone");
  assert.deepEqual(github.problems, []);

  // Deliveries signed with the new secret arrive and verify with #2 before --finish.
  while (!answers.some((answer) => answer.secret === newSecret)) await new Promise((resolve) => setImmediate(resolve));
  const finished = await run("--finish");
  assert.equal(finished.code, 0, finished.err);
  assert.match(finished.out, /old secret #1 \(\{ env: OLD_SECRET \}\): last verified a delivery at \S+ \(\d+ in all\)/);
  assert.equal(readFileSync(service.configFile, "utf8"), before.replace("{ env: OLD_SECRET }", "{ file: Codertocat-Hello-World.secret }"));
  // The service reloads the finished config: the new secret is #1 now.
  const after = answers.length;
  while (!answers.slice(after).some((answer) => answer.secret === newSecret && service.service.journal.getDelivery(answer.id)?.secretIndex === 0)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  sending = false;
  await forge;

  assert.deepEqual(await Promise.all(atChange), [202], "the push sent as the hook changed is taken");
  assert.deepEqual(answers.filter((answer) => answer.status === 401), [], "no delivery refused across the rotation");
  assert.ok(answers.every((answer) => answer.status >= 200 && answer.status < 300), JSON.stringify(answers.filter((a) => a.status >= 300)));
  const newDuringRotation = answers.find((answer) => answer.secret === newSecret);
  assert.equal(service.service.journal.getDelivery(newDuringRotation!.id)?.secretIndex, 1, "verified by the second of [old, new]");
  assert.equal(service.service.journal.getDelivery(answers[0]!.id)?.secretIndex, 0);
  const stale = await service.post("/hooks", push5, githubHeaders("push", "rotate-old-after-finish", githubSignature("old-secret", push5)));
  assert.equal(stale.status, 401, "after --finish the old secret is refused");
});

test("a service that does not take the new secret: the hook is left alone; a second run goes on", async (t) => {
  const { github, service, run } = await setup(t);
  const failed = await run("--url", await closedPort(), "--wait", "1");
  assert.equal(failed.code, 1);
  assert.match(failed.err, /did not take the new secret within 1 s .*The hook was not changed/);
  assert.equal(github.hooks.hooksOf(REPO)[0]?.secret, "old-secret");
  const again = await run("--url", `${service.url}/hooks`);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /lists 2 secrets already: going on with the last/);
  assert.equal(github.hooks.hooksOf(REPO)[0]?.secret, readFileSync(join(service.dir, "Codertocat-Hello-World.secret"), "utf8").trim());
});
