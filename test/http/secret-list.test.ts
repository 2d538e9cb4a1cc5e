// `secret` as a list while a secret changes: a delivery signed with any of them is taken, each
// checked in constant time; the journal records which one verified it, by position, never its
// value; a signature made with neither is still a 401. Through the real server, for a
// repository's own list and for a forge's (checked before the JSON is parsed).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config/load-config.ts";
import { ConfigError } from "../../src/errors.ts";
import { payload } from "../support/payloads.ts";
import { giteaSignature, githubSignature } from "../support/sign.ts";
import { giteaHeaders, githubHeaders, startTestService, type TestService } from "../support/test-service.ts";

const push5 = payload("github/push-5.json");
const giteaPush = payload("gitea/push-1.json");

describe("a list of secrets", () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({
      config: `
forges:
  gitea: { secret: [tea-old, tea-new] }
repositories:
  - repo: Codertocat/Hello-World
    forge: github
    secret: [old-secret, { env: NEW_SECRET }]
    jobs: [{ job: hello, events: [push] }]
  - repo: gitea/webhooks
    forge: gitea
    jobs: [{ job: webhooks, events: [push] }]
`,
      env: { NEW_SECRET: "new-secret" },
    });
  });
  after(() => svc.stop());

  test("a repository's: either secret verifies, the journal says which by position, another is refused", async () => {
    const old = await svc.post("/hooks", push5, githubHeaders("push", "list-old", githubSignature("old-secret", push5)));
    assert.equal(old.status, 202, old.body.message);
    const fresh = await svc.post("/hooks", push5, githubHeaders("push", "list-new", githubSignature("new-secret", push5)));
    assert.ok(fresh.status >= 200 && fresh.status < 300, `${fresh.status} ${fresh.body.message}`);
    const wrong = await svc.post("/hooks", push5, githubHeaders("push", "list-wrong", githubSignature("neither", push5)));
    assert.equal(wrong.status, 401);
    assert.equal(svc.service.journal.getDelivery("list-old")?.secretIndex, 0);
    assert.equal(svc.service.journal.getDelivery("list-new")?.secretIndex, 1);
    assert.equal(svc.service.journal.getDelivery("list-wrong"), undefined);
    assert.deepEqual(svc.service.journal.secretUses("github", "codertocat/hello-world").map(({ index, count }) => ({ index, count })),
      [{ index: 0, count: 1 }, { index: 1, count: 1 }], "when each secret was last used, for doctor and --finish");
    const row = svc.journalDatabase.prepare("SELECT * FROM deliveries WHERE delivery_id = 'list-new'").get() as Record<string, unknown>;
    assert.ok(!JSON.stringify(row).includes("new-secret"), "the journal has the position, never the value");
  });

  test("a forge's: checked before parsing, either verifies", async () => {
    const fresh = await svc.post("/hooks", giteaPush, giteaHeaders("push", "tea-new-1", giteaSignature("tea-new", giteaPush)));
    assert.equal(fresh.status, 202, fresh.body.message);
    assert.equal(svc.service.journal.getDelivery("tea-new-1")?.secretIndex, 1);
    const garbage = Buffer.from("not json at all");
    const refused = await svc.post("/hooks", garbage, giteaHeaders("push", "tea-bad", giteaSignature("tea-nope", garbage)));
    assert.equal(refused.status, 401, "refused before its JSON is read");
  });
});

test("an empty list, or an entry that cannot be read, is a config error at its place", () => {
  const load = (secret: string) => () => loadConfig("/x/config.yml", {
    env: {}, readFile: () => `repositories:\n  - repo: a/b\n    secret: ${secret}\n    jobs: [{ job: b }]\n`,
  });
  assert.throws(load("[]"), (error: unknown) => error instanceof ConfigError && /:3:13 .*at least one/.test(error.message));
  assert.throws(load("[ok, { env: UNSET_ONE }]"), (error: unknown) => error instanceof ConfigError && /secret\.1: environment variable UNSET_ONE/.test(error.message));
});
