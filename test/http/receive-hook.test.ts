// Every row of DESIGN.md's table of answers to a hook delivery, through a real server, the real
// journal and the fake laminarc.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { anotherPush, payload } from "../support/payloads.ts";
import { giteaSignature, githubSignature } from "../support/sign.ts";
import { giteaHeaders, githubHeaders, startTestService, type TestService } from "../support/test-service.ts";

const CONFIG = `
forges:
  github: { secret: topsecret }
  gitea: { secret: gitea-secret }
repositories:
  - repo: Codertocat/Hello-World
    forge: github
    jobs:
      - job: hello
        events: [push]
        branches: [master]
      - job: hello-tag
        events: [tag]
        tags: ["v*"]
  - repo: gitea/webhooks
    jobs:
      - job: gitea-build
        events: [push]
        branches: [develop]
        params: { channel: nightly }
  - repo: jcitizen/my-repo
    jobs:
      - job: my-repo-pr
        events: [pull_request]
  - repo: gogits/hello-world
    forge: gogs
    secret: topsecret
    jobs:
      - job: gogs-build
        events: [push, pull_request]
        actions: [opened, edited]
  - repo: unknwon/webhooks
    forge: gogs
    insecure: true
    jobs:
      - job: unsigned-build
        events: [push]
`;

const push5 = payload("github/push-5.json");

describe("hook answers", () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ config: CONFIG });
  });
  after(() => svc.stop());

  test("202: verified, journaled, the job is queued with exact arguments and environment", async () => {
    const answer = await svc.post("/hooks", push5, githubHeaders("push", "d-202", githubSignature("topsecret", push5)));
    assert.equal(answer.status, 202, answer.body.message);
    assert.equal(answer.body.delivery, "d-202");
    assert.deepEqual(answer.body.jobs, [{ job: "hello" }]);
    assert.match(answer.body.message, /^accepted: 1 job will be queued in Laminar \(hello\)$/);

    const calls = await waitFor(() => svc.fake.calls().filter((call) => call.argv.includes("delivery=d-202")).length === 1
      && svc.fake.calls().filter((call) => call.argv.includes("delivery=d-202")), 5_000, "laminarc call");
    const call = calls[0]!;
    const sent = JSON.parse(push5.toString("utf8"));
    assert.deepEqual(call.argv, [
      "queue", "hello",
      `rev=${sent.after}`, "ref=refs/heads/master", "branch=master", `before=${sent.before}`,
      "repo=Codertocat/Hello-World", `clone_url=${sent.repository.clone_url}`, `ssh_url=${sent.repository.ssh_url}`,
      "event=push", "forge=github", `sender=${sent.sender.login}`, "delivery=d-202",
    ]);
    assert.equal(call.env.LAMINAR_HOST, "unix-abstract:test-laminar");
    assert.match(call.env.LAMINAR_REASON ?? "", /^GitHub push to Codertocat\/Hello-World master \([0-9a-f]{7}\) by /);
    assert.equal(call.env.JOB, false);

    const stored = await waitFor(() => {
      const detail = svc.service.journal.getDelivery("d-202");
      return detail?.dispatches[0]?.status === "done" && detail;
    }, 5_000, "dispatch done");
    assert.equal(stored.dispatches[0]?.run, "hello:1");
    assert.equal(stored.repo, "Codertocat/Hello-World");
    assert.equal(stored.headers["x-hub-signature-256"], undefined, "signatures are not kept");
    assert.equal(stored.headers["x-github-event"], "push");
  });

  test("200: verified, no job matches, with the trace and journaled", async () => {
    const body = Buffer.from(push5.toString("utf8").replace('"ref": "refs/heads/master"', '"ref": "refs/heads/dev"'));
    assert.notDeepEqual(body, push5);
    const answer = await svc.post("/hooks/github", body, githubHeaders("push", "d-200", githubSignature("topsecret", body)));
    assert.equal(answer.status, 200, answer.body.message);
    assert.deepEqual(answer.body.trace, [
      { job: "hello", matched: false, reason: `branch "dev" matches none of [master]` },
      { job: "hello-tag", matched: false, reason: "event push is not in events [tag]" },
    ]);
    // The answer came after the journal's commit: its rows are all the dispatcher will ever run.
    const stored = svc.service.journal.getDelivery("d-200");
    assert.equal(stored?.status, "ignored");
    assert.deepEqual(stored.dispatches, [], "no dispatch: nothing reaches laminarc");
  });

  test("200: a GitHub ping for a repository not configured yet, verified with the forge's secret", async () => {
    const ping = payload("github/ping-3.json");
    const answer = await svc.post("/hooks", ping, githubHeaders("ping", "d-ping", githubSignature("topsecret", ping)));
    assert.equal(answer.status, 200, answer.body.message);
    assert.equal(answer.body.message, "pong");
    const wrong = await svc.post("/hooks", ping, githubHeaders("ping", "d-ping-2", githubSignature("nope", ping)));
    assert.equal(wrong.status, 401);
  });

  test("200 duplicate: the same delivery id again queues nothing twice", async () => {
    const push = anotherPush(push5, "d-dup");
    const headers = githubHeaders("push", "d-dup", githubSignature("topsecret", push));
    assert.equal((await svc.post("/hooks", push, headers)).status, 202);
    const again = await svc.post("/hooks", push, headers);
    assert.equal(again.status, 200);
    assert.equal(again.body.duplicate, true);
    assert.match(again.body.message, /^duplicate: /);
    assert.equal(again.body.id, svc.service.journal.getDelivery("d-dup")?.id, "the first copy's journal row");
    // Both answers came after the journal's commit: one dispatch is all the dispatcher will run.
    const stored = await waitFor(() => {
      const detail = svc.service.journal.getDelivery("d-dup");
      return detail?.dispatches[0]?.status === "done" && detail;
    }, 5_000, "dispatch");
    assert.equal(stored.dispatches.length, 1, "one dispatch for two copies");
    assert.equal(svc.fake.calls().filter((call) => call.argv.includes("delivery=d-dup")).length, 1);
  });

  test("401: missing or wrong signature, and no laminarc call", async () => {
    const missing = await svc.post("/hooks", push5, githubHeaders("push", "d-401a"));
    assert.equal(missing.status, 401);
    assert.match(missing.body.message, /^missing signature/);
    const wrong = await svc.post("/hooks", push5, githubHeaders("push", "d-401b", githubSignature("not-the-secret", push5)));
    assert.equal(wrong.status, 401);
    assert.match(wrong.body.message, /^wrong signature/);
    assert.ok(!JSON.stringify(wrong.body).includes("topsecret"));
    const tampered = Buffer.from(push5.toString("utf8").replace("master", "mastes"));
    const altered = await svc.post("/hooks", tampered, githubHeaders("push", "d-401c", githubSignature("topsecret", push5)));
    assert.equal(altered.status, 401);
    // Not journaled, so no dispatch of theirs can ever reach laminarc.
    for (const id of ["d-401a", "d-401b", "d-401c"]) assert.equal(svc.service.journal.getDelivery(id), undefined, `${id} is not journaled`);
  });

  test("404: a repository that is not in the config", async () => {
    const other = Buffer.from(push5.toString("utf8").replaceAll("Codertocat/Hello-World", "someone/else"));
    const answer = await svc.post("/hooks", other, githubHeaders("push", "d-404", githubSignature("topsecret", other)));
    assert.equal(answer.status, 404);
    assert.equal(answer.body.message, "repository someone/else is not in the config for github");
  });

  test("400 and 415: not JSON, wrong content type, missing headers, unknown forge", async () => {
    const broken = Buffer.from('{"ref": "refs/heads/master", ');
    const notJson = await svc.post("/hooks", broken, githubHeaders("push", "d-400a", githubSignature("topsecret", broken)));
    assert.equal(notJson.status, 400);
    assert.match(notJson.body.message, /^the body is not valid JSON/);

    const text = await svc.post("/hooks", push5, githubHeaders("push", "d-415", githubSignature("topsecret", push5), "text/plain"));
    assert.equal(text.status, 415);
    assert.match(text.body.message, /text\/plain is not accepted/);

    const noDelivery = githubHeaders("push", "x", githubSignature("topsecret", push5));
    delete noDelivery["x-github-delivery"];
    const missingHeader = await svc.post("/hooks", push5, noDelivery);
    assert.equal(missingHeader.status, 400);
    assert.match(missingHeader.body.message, /X-GitHub-Delivery/i);

    const anonymous = await svc.post("/hooks", push5, { "content-type": "application/json" });
    assert.equal(anonymous.status, 400);
    assert.match(anonymous.body.message, /cannot tell which forge/);

    const unknownForge = await svc.post("/hooks/bitbucket", push5, { "content-type": "application/json" });
    assert.equal(unknownForge.status, 404);
    assert.match(unknownForge.body.message, /unknown forge "bitbucket"/);

    const unknownEvent = await svc.post("/hooks", push5, githubHeaders("no_such_event", "d-400e", githubSignature("topsecret", push5)));
    assert.equal(unknownEvent.status, 400);
    assert.match(unknownEvent.body.message, /no_such_event/);
  });

  test("401 before parsing when the forge's secret is the one for every repository; else the JSON names the repository first", async () => {
    const broken = Buffer.from('{"ref": "refs/heads/master", ');
    // GitHub's secret here is forges.github.secret whatever the repository: the unsigned garbage is
    // refused on its signature, without parsing it.
    const github = await svc.post("/hooks", broken, githubHeaders("push", "d-early"));
    assert.equal(github.status, 401, github.body.message);
    assert.match(github.body.message, /^missing signature: .*\(forges\.github\.secret\)$/);
    // A Gogs repository has a secret of its own: the payload must say which repository it is first.
    const gogs = await svc.post("/hooks/gogs", broken, { "content-type": "application/json", "x-gogs-event": "push", "x-gogs-delivery": "gogs-early" });
    assert.equal(gogs.status, 400, gogs.body.message);
    assert.match(gogs.body.message, /^the body is not valid JSON/);
  });

  test("413: a body larger than body_limit is refused before it is read", async () => {
    const limited = await startTestService({ config: CONFIG, server: "  body_limit: 4kb" });
    try {
      const answer = await limited.post("/hooks", push5, githubHeaders("push", "d-413", githubSignature("topsecret", push5)));
      assert.equal(answer.status, 413);
      assert.equal(answer.body.message, "the body is larger than body_limit (4kb)");
    } finally {
      await limited.stop();
    }
  });

  test("compressed bodies are read in any spelling of gzip, deflate or br; broken ones are a 400", async () => {
    const signature = githubSignature("topsecret", push5);
    const encodings: [string, (body: Buffer) => Buffer][] = [["gzip", gzipSync], ["GZIP", gzipSync], ["deflate", deflateSync], ["br", brotliCompressSync]];
    for (const [encoding, compress] of encodings) {
      const push = anotherPush(push5, encoding);
      const answer = await svc.post("/hooks", compress(push), { ...githubHeaders("push", `d-enc-${encoding}`, githubSignature("topsecret", push)), "content-encoding": encoding });
      assert.equal(answer.status, 202, `${encoding}: ${answer.body.message}`);
    }
    const broken = await svc.post("/hooks", push5, { ...githubHeaders("push", "d-enc-broken", signature), "content-encoding": "gzip" });
    assert.equal(broken.status, 400);
    assert.match(broken.body.message, /^the body cannot be read as Content-Encoding gzip: /);
    const unknown = await svc.post("/hooks", push5, { ...githubHeaders("push", "d-enc-zstd", signature), "content-encoding": "zstd" });
    assert.equal(unknown.status, 415);
    assert.match(unknown.body.message, /^Content-Encoding zstd is not accepted/);
  });

  test("400: a signed body that is not UTF-8, or a form without exactly one payload field", async () => {
    const latin1 = Buffer.concat([push5.subarray(0, 20), Buffer.from([0xe9]), push5.subarray(20)]);
    const notUtf8 = await svc.post("/hooks", latin1, githubHeaders("push", "d-latin1", githubSignature("topsecret", latin1)));
    assert.equal(notUtf8.status, 400);
    assert.equal(notUtf8.body.message, "the body is not valid UTF-8");
    const twice = `payload=${encodeURIComponent(push5.toString("utf8"))}&payload=%7B%7D`;
    const form = await svc.post("/hooks", twice, githubHeaders("push", "d-2payloads", githubSignature("topsecret", twice), "application/x-www-form-urlencoded"));
    assert.equal(form.status, 400);
    assert.match(form.body.message, /one `payload` field/);
    for (const id of ["d-latin1", "d-2payloads"]) assert.equal(svc.service.journal.getDelivery(id), undefined, `${id} is not journaled`);
  });

  test("GitHub form-encoded bodies are verified over the raw form body", async () => {
    const push = anotherPush(push5, "d-form");
    const form = `payload=${encodeURIComponent(push.toString("utf8"))}`;
    const answer = await svc.post("/hooks", form, githubHeaders("push", "d-form", githubSignature("topsecret", form), "application/x-www-form-urlencoded"));
    assert.equal(answer.status, 202, answer.body.message);
    const overJson = await svc.post("/hooks", form, githubHeaders("push", "d-form-2", githubSignature("topsecret", push), "application/x-www-form-urlencoded"));
    assert.equal(overJson.status, 401, "GitHub signs the form body, not the JSON inside");
  });

  test("Gitea, JSON and form: detected despite GitHub's headers, signed over the JSON", async () => {
    const push = payload("gitea/push-1.json");
    const json = await svc.post("/hooks", push, giteaHeaders("push", "g-1", giteaSignature("gitea-secret", push)));
    assert.equal(json.status, 202, json.body.message);
    const second = anotherPush(push, "g-2");
    const form = `payload=${encodeURIComponent(second.toString("utf8"))}`;
    const viaForm = await svc.post("/hooks", form, giteaHeaders("push", "g-2", giteaSignature("gitea-secret", second), "application/x-www-form-urlencoded"));
    assert.equal(viaForm.status, 202, viaForm.body.message);
    const unsigned = await svc.post("/hooks", push, giteaHeaders("push", "g-3", ""));
    assert.equal(unsigned.status, 401, "Gitea sends empty signature headers when it has no secret");
    const calls = await waitFor(() => {
      const found = svc.fake.calls().filter((call) => call.argv.includes("delivery=g-1"));
      return found.length > 0 && found;
    }, 5_000, "gitea call");
    assert.ok(calls[0]!.argv.includes("forge=gitea"));
    assert.ok(calls[0]!.argv.includes("channel=nightly"));
    assert.equal(calls[0]!.argv.at(-1), "channel=nightly");
  });

  test("Gogs: its own headers, signed over the JSON (the fixture's signature vector)", async () => {
    const pr = payload("gogs/pull_request-1.json");
    const signature = "fe7faa4703b9bf4e6834e8bdb36a8286a063d3498d7d92d81e49e1f490f087aa";
    const headers = { "content-type": "application/json", "x-gogs-event": "pull_request", "x-gogs-delivery": "gogs-1", "x-gogs-signature": signature };
    const answer = await svc.post("/hooks", pr, headers);
    assert.equal(answer.status, 202, answer.body.message);
    const call = await waitFor(() => svc.fake.calls().find((c) => c.argv.includes("delivery=gogs-1")), 5_000, "gogs call");
    assert.deepEqual(call.argv.slice(0, 2), ["queue", "gogs-build"]);
    assert.ok(call.argv.includes("forge=gogs") && call.argv.includes("event=pull_request"));
    const wrong = await svc.post("/hooks/gogs", pr, { ...headers, "x-gogs-delivery": "gogs-2", "x-gogs-signature": signature.replace("f", "0") });
    assert.equal(wrong.status, 401);
  });

  test("an insecure repository takes unsigned deliveries; a signed-only one does not", async () => {
    const push = payload("gogs/push-2.json");
    const answer = await svc.post("/hooks/gogs", push, { "content-type": "application/json", "x-gogs-event": "push", "x-gogs-delivery": "gogs-unsigned" });
    assert.equal(answer.status, 202, answer.body.message);
    await waitFor(() => svc.fake.calls().some((c) => c.argv.includes("delivery=gogs-unsigned") && c.argv[1] === "unsigned-build"), 5_000, "unsigned call");
    const other = payload("gogs/push-1.json");
    const refused = await svc.post("/hooks/gogs", other, { "content-type": "application/json", "x-gogs-event": "push", "x-gogs-delivery": "gogs-unsigned-2" });
    assert.equal(refused.status, 401);
  });

  test("health endpoints", async () => {
    const health = await fetch(`${svc.url}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${svc.url}/readyz`);
    assert.equal(ready.status, 200);
    const wrongMethod = await fetch(`${svc.url}/hooks`);
    assert.equal(wrongMethod.status, 405);
    assert.ok(((await wrongMethod.json()) as { message: string }).message);
  });
});

test("the same delivery id whose first copy matched nothing is routed again with the current config", async () => {
  const svc = await startTestService({ config: CONFIG });
  try {
    const pr = payload("gitea/pull_request-2.json");
    const headers = giteaHeaders("pull_request", "g-redo", giteaSignature("gitea-secret", pr));
    headers["x-gitea-event-type"] = "pull_request_sync";
    svc.writeConfig(CONFIG.replace("events: [pull_request]", "events: [pull_request]\n        branches: [release]"));
    assert.equal(svc.service.reload().ok, true);
    const first = await svc.post("/hooks/gitea", pr, headers);
    assert.equal(first.status, 200, first.body.message);

    svc.writeConfig(CONFIG);
    assert.equal(svc.service.reload().ok, true);
    const second = await svc.post("/hooks/gitea", pr, headers);
    assert.equal(second.status, 202, second.body.message);
    assert.equal(second.body.id, first.body.id, "the same journal row");
    const third = await svc.post("/hooks/gitea", pr, headers);
    assert.equal(third.status, 200);
    assert.equal(third.body.duplicate, true);
  } finally {
    await svc.stop();
  }
});

test("503: a journal that cannot be written is never answered 2xx", async () => {
  const svc = await startTestService({ config: CONFIG });
  try {
    // Fill the database to its page limit: a real SQLITE_FULL, as on a full disk (tests run as root,
    // where file permissions do not stop writes).
    const db = svc.journalDatabase;
    const pages = db.pragma("page_count", { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const answer = await svc.post("/hooks", push5, githubHeaders("push", "d-503", githubSignature("topsecret", push5)));
    assert.equal(answer.status, 503, answer.body.message);
    assert.match(answer.body.message, /journal cannot be written/);
    assert.equal((await fetch(`${svc.url}/readyz`)).status, 503);

    db.pragma("max_page_count = 1073741823");
    assert.equal((await fetch(`${svc.url}/readyz`)).status, 200, "ready again once there is room");
    const later = await svc.post("/hooks", push5, githubHeaders("push", "d-503", githubSignature("topsecret", push5)));
    assert.equal(later.status, 202, "the forge's retry of the refused delivery is accepted");
  } finally {
    await svc.stop();
  }
});
