// The test fakes together, as the service meets them: the fake laminarc (test/fixtures/fake-laminarc.js)
// asks the fake laminard (test/fixtures/fake-laminard.ts) to queue, so run numbers come from laminard
// as in reality, and a laminard that is down refuses the call as laminarc.md says.
import assert from "node:assert/strict";
import { test } from "node:test";
import { execa } from "execa";
import { LaminarcHelper } from "../../src/laminar/laminarc-helper.ts";
import { createFakeLaminar, FAKE_LAMINARC } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";

test("with FAKE_LAMINARD the fake laminarc queues in the fake laminard: its numbers, multi-job calls, refused while it is down", async (t) => {
  const laminard = await FakeLaminard.start({ jobs: ["a", "b"] });
  const fake = createFakeLaminar();
  const helper = new LaminarcHelper();
  t.after(async () => {
    await helper.close();
    await laminard.close();
    fake.remove();
  });
  const env = { ...fake.env, FAKE_LAMINARD: laminard.controlUrl, LAMINAR_REASON: "by hand" };
  laminard.queue("a", [], "earlier");
  const multi = await execa(FAKE_LAMINARC, ["queue", "a", "x=1", "nosuch", "b", "y=2"], { env, reject: false });
  // Not atomic, as the real one: the known jobs are queued and the call still exits 2.
  assert.equal(multi.exitCode, 2);
  assert.equal(multi.stdout, "a:2\nb:1");
  assert.equal(multi.stderr, "Failed to queue job 'nosuch'");
  assert.deepEqual(laminard.queueCalls.slice(1), [
    { name: "a", number: 2, reason: "by hand", params: ["x=1"] },
    { name: "b", number: 1, reason: "by hand", params: ["y=2"] },
  ]);
  // Through the launcher the service uses.
  const options = { laminarc: FAKE_LAMINARC, timeoutMs: 30_000, env };
  const result = await helper.run({ job: "b", params: {}, host: "", reason: "r" }, options);
  assert.deepEqual(result.outcome, { kind: "queued", run: "b:2" });

  await laminard.down();
  const refused = await helper.run({ job: "b", params: {}, host: "", reason: "r" }, options);
  assert.equal(refused.outcome.kind, "retry");
  assert.equal(refused.stderr.trim(), "connect(): Connection refused");
});
