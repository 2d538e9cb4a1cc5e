// What a job's filters and options do to a real delivery, as the sender and laminarc see it:
// `[skip ci]`, `paths` / `ignore_paths`, templated `params`, and a job's own Laminar `host`.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { waitFor, type FakeCall } from "../fixtures/fake-laminar-dir.ts";
import { anotherPush, payload } from "../support/payloads.ts";
import { githubSignature } from "../support/sign.ts";
import { gitlabHeaders, githubHeaders, startTestService, type TestService } from "../support/test-service.ts";

const TOKEN = "gl-token-77";

const CONFIG = `
forges:
  github: { secret: topsecret }
  gitlab: { secret: ${TOKEN} }
repositories:
  - repo: Codertocat/Hello-World
    jobs:
      - job: hello
      - job: hello-always
        skip_ci: false
  - repo: "*/*"
    forge: gitlab
    jobs:
      - job: docs
        paths: ["**/*.md", "docs/**"]
      - job: code
        paths: ["app/**", "src/**"]
      - job: not-docs
        ignore_paths: ["**/*.md"]
      - job: changelog
        paths: [CHANGELOG]
        params:
          image: "registry.example.com/{{ repo }}:{{ branch }}-{{ payload.checkout_sha }}"
          author: "{{ payload.commits.0.author.name }}"
          commits: "{{ payload.total_commits_count }}"
          protected: "{{ payload.ref_protected }}"
          missing: "[{{ payload.no.such.field }}][{{ tag }}]"
          note: "it's $HOME; \`rm -rf /\` \\"quoted\\""
        host: "10.1.2.3:9997"
`;

describe("job filters and options through the HTTP server", () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ config: CONFIG });
  });
  after(() => svc.stop());

  const callsFor = (delivery: string) => svc.fake.calls().filter((call) => call.argv.includes(`delivery=${delivery}`));
  /**
   * The laminarc calls for the delivery once each of its dispatches is done. The journal, committed
   * before the answer, holds every dispatch there will ever be: `count` of them, no extra.
   */
  async function calls(delivery: string, count: number): Promise<FakeCall[]> {
    const stored = await waitFor(() => {
      const detail = svc.service.journal.getDelivery(delivery);
      return detail !== undefined && detail.dispatches.every((dispatch) => dispatch.status === "done") && detail;
    }, 5_000, `the dispatches of ${delivery} done`);
    assert.equal(stored.dispatches.length, count, `${delivery}: ${stored.dispatches.length} dispatches`);
    const found = callsFor(delivery);
    assert.equal(found.length, count, `${delivery}: one laminarc call per dispatch`);
    return found.sort((a, b) => a.argv[1]!.localeCompare(b.argv[1]!));
  }

  test("[skip ci] in the head commit: only the skip_ci: false job starts, the trace says why", async () => {
    // A copy of the real push with its head commit message changed; the fixture file stays as sent.
    const original = payload("github/push-5.json");
    const body = Buffer.from(original.toString("utf8").replaceAll('"message": "Update README"', '"message": "Update README\\n\\n[Skip CI]"'));
    assert.notDeepEqual(body, original);
    const answer = await svc.post("/hooks", body, githubHeaders("push", "skip-1", githubSignature("topsecret", body)));
    assert.equal(answer.status, 202, answer.body.message);
    assert.deepEqual(answer.body.jobs, [{ job: "hello-always" }]);
    assert.deepEqual(answer.body.trace, [
      { job: "hello", matched: false, reason: "head commit says [Skip CI]" },
      { job: "hello-always", matched: true, reason: "every branch matches (no filter); head commit says [Skip CI], but skip_ci: false" },
    ]);
    assert.deepEqual((await calls("skip-1", 1)).map((call) => call.argv[1]), ["hello-always"]);

    // Another push (one push builds once: the same one again would be a duplicate).
    const other = anotherPush(original, "skip-2");
    const unmarked = await svc.post("/hooks", other, githubHeaders("push", "skip-2", githubSignature("topsecret", other)));
    assert.deepEqual(unmarked.body.jobs, [{ job: "hello" }, { job: "hello-always" }], "a push without the marker starts both");
  });

  test("a path-filtered push starts only the jobs whose paths match", async () => {
    // gitlab/push-2.json: one commit, all of it sent, adding README.md.
    const answer = await svc.post("/hooks", payload("gitlab/push-2.json"), gitlabHeaders("Push Hook", "paths-1", { token: TOKEN }));
    assert.equal(answer.status, 202, answer.body.message);
    assert.deepEqual(answer.body.jobs, [{ job: "docs" }]);
    assert.deepEqual(answer.body.trace, [
      { job: "docs", matched: true, reason: `every branch matches (no filter); "README.md" matches paths "**/*.md"` },
      { job: "code", matched: false, reason: "no changed file matches paths [app/**, src/**] (README.md)" },
      { job: "not-docs", matched: false, reason: "every changed file matches ignore_paths [**/*.md] (README.md)" },
      { job: "changelog", matched: false, reason: "no changed file matches paths [CHANGELOG] (README.md)" },
    ]);
    assert.deepEqual((await calls("paths-1", 1)).map((call) => call.argv[1]), ["docs"]);
    const shown = svc.service.journal.getDelivery("paths-1");
    assert.equal(shown?.trace[1]?.reason, "no changed file matches paths [app/**, src/**] (README.md)", "show prints the same trace");
  });

  test("a truncated commit list builds every job anyway, and says so", async () => {
    // gitlab/push-1.json: total_commits_count 4, only 2 commits sent (CHANGELOG, app/controller/application.rb).
    const answer = await svc.post("/hooks/gitlab", payload("gitlab/push-1.json"), gitlabHeaders("Push Hook", "short-1", { token: TOKEN }));
    assert.equal(answer.status, 202, answer.body.message);
    assert.deepEqual(answer.body.jobs, [{ job: "docs" }, { job: "code" }, { job: "not-docs" }, { job: "changelog" }]);
    const why = "every branch matches (no filter); the payload does not list every changed file (GitLab sends the newest 20 commits); building anyway";
    assert.deepEqual((answer.body.trace as { reason: string }[]).map((line) => line.reason), [why, why, why, why]);
    assert.equal((await calls("short-1", 4)).length, 4);
  });

  test("templated params reach laminarc verbatim, each one argument; a job's host is its LAMINAR_HOST", async () => {
    // The complete list of gitlab/push-2.json with a CHANGELOG added: a copy, signed by token as
    // GitLab does, of another push than paths-1's (the same one again would be a duplicate).
    const sent = JSON.parse(anotherPush(payload("gitlab/push-2.json"), "tmpl-1").toString("utf8"));
    sent.commits[0].modified = ["CHANGELOG"];
    sent.ref_protected = true;
    const body = Buffer.from(JSON.stringify(sent));
    const answer = await svc.post("/hooks", body, gitlabHeaders("Push Hook", "tmpl-1", { token: TOKEN }));
    assert.equal(answer.status, 202, answer.body.message);
    assert.deepEqual(answer.body.jobs, [{ job: "docs" }, { job: "not-docs" }, { job: "changelog" }]);

    const changelog = (await calls("tmpl-1", 3)).find((call) => call.argv[1] === "changelog")!;
    assert.deepEqual(changelog.argv, [
      "queue", "changelog",
      "rev=2adc9465c4edfc33834e173fe89436a7cb899a1d", "ref=refs/heads/master", "branch=master",
      `before=${sent.before}`, "repo=gitlab-org/hello-world",
      "clone_url=https://gitlab.com/gitlab-org/hello-world.git", "ssh_url=git@gitlab.com:gitlab-org/hello-world.git",
      "event=push", "forge=gitlab", "sender=sytses", "delivery=tmpl-1",
      "image=registry.example.com/gitlab-org/hello-world:master-2adc9465c4edfc33834e173fe89436a7cb899a1d",
      "author=Sid Sijbrandij",
      "commits=1",
      "protected=true",
      "missing=[][]",
      "note=it's $HOME; `rm -rf /` \"quoted\"",
    ]);
    assert.equal(changelog.env.LAMINAR_HOST, "10.1.2.3:9997");
    const docs = callsFor("tmpl-1").find((call) => call.argv[1] === "docs")!;
    assert.equal(docs.env.LAMINAR_HOST, "unix-abstract:test-laminar", "jobs without host: keep laminar.host");
  });
});
