// What a body that was delivered before gets under a new delivery id, for the forges that sign
// only the body (README "HTTP"): a new delivery, because Gitea's Replay is how its users rebuild.
// GitLab's signed webhook-id is in receive-hook-gitlab.test.ts.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { payload } from "../support/payloads.ts";
import { giteaSignature, githubSignature } from "../support/sign.ts";
import { giteaHeaders, githubHeaders, startTestService, type TestService } from "../support/test-service.ts";

const CONFIG = `
forges:
  github: { secret: gh-secret }
  gitea: { secret: gitea-secret }
repositories:
  - repo: Codertocat/Hello-World
    jobs: [{ job: hello, events: [push] }]
  - repo: example/example
    jobs: [{ job: webhooks, events: [push], branches: [master] }]
`;

describe("a body delivered again under a new delivery id", () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ config: CONFIG });
  });
  after(() => svc.stop());

  const dispatches = (id: string) => svc.service.journal.getDelivery(id)?.dispatches.length;

  test("Gitea's Replay (same body, new X-Gitea-Delivery) builds again; the same id does not", async () => {
    const push = payload("gitea/push-2.json");
    const signature = giteaSignature("gitea-secret", push);
    assert.equal((await svc.post("/hooks", push, giteaHeaders("push", "gitea-first", signature))).status, 202);
    const replayed = await svc.post("/hooks", push, giteaHeaders("push", "gitea-replayed", signature));
    assert.equal(replayed.status, 202, replayed.body.message);
    const again = await svc.post("/hooks", push, giteaHeaders("push", "gitea-replayed", signature));
    assert.equal(again.status, 200, again.body.message);
    assert.equal(again.body.duplicate, true);
    assert.deepEqual([dispatches("gitea-first"), dispatches("gitea-replayed")], [1, 1]);
  });

  test("GitHub: a new X-GitHub-Delivery is a new delivery too (GitHub's own Redeliver keeps the id)", async () => {
    const push = payload("github/push-5.json");
    const signature = githubSignature("gh-secret", push);
    assert.equal((await svc.post("/hooks", push, githubHeaders("push", "gh-first", signature))).status, 202);
    const redelivered = await svc.post("/hooks", push, githubHeaders("push", "gh-first", signature));
    assert.equal(redelivered.body.duplicate, true, redelivered.body.message);
    const newId = await svc.post("/hooks", push, githubHeaders("push", "gh-new-id", signature));
    assert.equal(newId.status, 202, newId.body.message);
    assert.deepEqual([dispatches("gh-first"), dispatches("gh-new-id")], [1, 1]);
  });
});
