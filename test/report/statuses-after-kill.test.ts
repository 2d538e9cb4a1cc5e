// The service as its own process, SIGKILLed after laminard said the run completed but before the
// forge took its status: the post waits in the journal's outbox and goes out after the restart,
// once.

import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { startFakeGitHubApi } from "../fixtures/fake-github-api.ts";
import { serviceOnDisk } from "../support/child-service.ts";
import { payload } from "../support/payloads.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders } from "../support/test-service.ts";

const TOKEN = "ghp_kill-test-token-5f2e";
const push5 = payload("github/push-5.json");

interface PostRow {
  state: string;
  status: string;
  attempts: number;
}

/** The outbox as the journal holds it, read from the test's own read-only connection. */
function outbox(journalPath: string): PostRow[] {
  const database = new Database(journalPath, { readonly: true, fileMustExist: true });
  try {
    return database.prepare<[], PostRow>("SELECT state, status, attempts FROM status_posts ORDER BY id").all();
  } finally {
    database.close();
  }
}

test("SIGKILL between job_completed and the status post: the post happens after the restart, exactly once", async (t) => {
  const github = await startFakeGitHubApi({ token: TOKEN });
  // Registered first, serviceOnDisk's cleanup (which kills the services) runs first.
  const s = await serviceOnDisk(t, {
    prefix: "lh-status-kill-",
    laminar: ["base_url: https://ci.example.com"],
    rest: `
forges:
  github: { secret: topsecret, token: { env: GITHUB_TOKEN }, api: ${github.url} }
repositories:
  - repo: Codertocat/Hello-World
    jobs: [{ job: hello, events: [push] }]
`,
    env: { GITHUB_TOKEN: TOKEN },
  });
  t.after(() => github.close());
  const { laminard, journalPath } = s;

  const first = await s.start();
  await laminard.waitForStreams(1);
  const answer = await fetch(`${first.url}/hooks`, { method: "POST", body: push5, headers: githubHeaders("push", `kill-status-${process.pid}`, githubSignature("topsecret", push5)) });
  assert.equal(answer.status, 202, await answer.text());
  await waitFor(() => github.statuses.length === 1 || undefined, 15_000, "the pending status");
  assert.equal(github.statuses[0]?.state, "pending");

  // The forge takes the next request and never answers: the success post stays in flight.
  github.script("hang");
  laminard.completeRun("hello", 1, "success");
  await waitFor(() => github.requests.some((request) => request.answer === "hang") || undefined, 15_000, "the success post to reach the hanging forge");
  await waitFor(() => outbox(journalPath).some((post) => post.state === "success" && post.status === "sending") || undefined, 5000, "the success post journaled as in flight");
  first.child.kill("SIGKILL");
  await first.exited;
  assert.equal(github.statuses.filter((status) => status.state === "success").length, 0, "the hung post must not count as taken");

  const second = await s.start();
  await waitFor(() => github.statuses.some((status) => status.state === "success") || undefined, 15_000, "the success status after the restart");
  await waitFor(() => outbox(journalPath).every((post) => post.status !== "pending" && post.status !== "sending") || undefined, 5000, "the outbox to empty");
  assert.deepEqual(github.statuses.map((status) => status.state), ["pending", "success"]);
  assert.equal(github.statuses[1]?.target_url, "https://ci.example.com/jobs/hello/1");
  // (The running run's own pending, superseded by the success before it could go, is skipped.)
  const sent = outbox(journalPath).filter((post) => post.status !== "skipped");
  assert.deepEqual(sent.map((post) => `${post.state} ${post.status}`), ["pending posted", "success posted"]);
  assert.deepEqual(github.problems, []);
  // The token went to the forge and nowhere else.
  for (const line of [...first.logs, ...second.logs]) assert.ok(!JSON.stringify(line).includes(TOKEN), "a log line holds the token");
});
