// SIGTERM while deliveries stream in and every laminarc slot is busy with a slow laminarc: the
// attempts in flight finish within the grace, nothing is orphaned, the process exits 0, and the
// next start queues the rest, each delivery exactly once. test/cli/serve.test.ts covers one hung
// attempt without load; sigterm-hung-laminarc.test.ts the same under load.

import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { openJournal } from "../../src/journal/index.ts";
import { createFakeLaminar, processExists, waitFor } from "../fixtures/fake-laminar-dir.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders } from "../support/test-service.ts";
import { fakeProcesses, push5, sleep, startFaultService } from "./fault-kit.ts";
import { restartAndDrain, terminateUnderLoad, writeConfig } from "./sigterm-kit.ts";

test("SIGTERM under load with slow laminarc: attempts in flight finish, the rest stays pending, resumed once at the next start", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "lh-term-load-"));
  const fake = createFakeLaminar({ mode: "slow:700" });
  const config = writeConfig(dir, "3s");
  try {
    const { acknowledged, stopMs, first } = await terminateUnderLoad(config, fake, 4, (count) => count >= 20);
    t.diagnostic(`${acknowledged.length} acknowledged; stopped in ${Math.round(stopMs)} ms`);
    assert.ok(stopMs < 3_000 + 2_000, `stopping took ${Math.round(stopMs)} ms; the grace is the 3s timeout`);
    assert.deepEqual(fakeProcesses(fake.dir), [], "no laminarc outlives the service");

    // Every attempt that was running finished (700 ms < the grace): recorded done, none cut short.
    const journal = openJournal(join(dir, "journal.db"));
    const db = new Database(join(dir, "journal.db"), { readonly: true });
    try {
      const rows = db.prepare("SELECT status, COUNT(*) AS n FROM dispatches GROUP BY status").all() as { status: string; n: number }[];
      const count = Object.fromEntries(rows.map((row) => [row.status, row.n]));
      t.diagnostic(`after SIGTERM: ${JSON.stringify(count)}`);
      assert.equal(count.running, undefined, "nothing left marked running");
      assert.ok((count.pending ?? 0) > 0, "some dispatches were left pending for the next start");
      for (const id of acknowledged) assert.ok(journal.getDelivery(id), `${id} was acknowledged and is journaled`);
      const canceled = db.prepare("SELECT COUNT(*) FROM attempts WHERE outcome = 'canceled'").pluck().get();
      assert.equal(canceled, 0, "no attempt was cut short: they all fit in the grace");
      const calls = fake.calls();
      assert.ok(calls.every((call) => call.exitCode === 0), "every laminarc started ran to its end");
      assert.equal(calls.length, count.done, "each finished laminarc call is recorded done");
    } finally {
      db.close();
      await journal.close();
    }
    assert.equal(processExists(first.child.pid!), false);
    await restartAndDrain(dir, config, fake, acknowledged);
  } finally {
    fake.remove();
    rmSync(dir, { recursive: true, force: true });
  }
});

// Found by the tests above: the listener closed, but a client that kept its connection alive and
// busy was served on it for ever, so SIGTERM never got past "stop accepting". Here a request is in
// progress on a kept-alive connection when stopping begins: it is answered, and the connection ends.
test("stopping with a request in progress on a kept-alive connection: answered, then the connection is closed", async () => {
  const svc = await startFaultService({
    laminar: "  timeout: 2s",
    rest: "forges:\n  github: { secret: topsecret }\nrepositories:\n  - repo: Codertocat/Hello-World\n    jobs: [{ job: hello }]\n",
  });
  const socket = connect(Number(new URL(svc.url).port), "127.0.0.1");
  try {
    await once(socket, "connect");
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("utf8")));
    const closed = once(socket, "close");
    const head = Object.entries({ ...githubHeaders("push", "busy-1", githubSignature("topsecret", push5)), host: "127.0.0.1", "content-length": String(push5.length), connection: "keep-alive" })
      .map(([name, value]) => `${name}: ${value}\r\n`).join("");
    socket.write(`POST /hooks HTTP/1.1\r\n${head}\r\n`);
    socket.write(push5.subarray(0, 100));
    await sleep(200);
    const stopping = svc.service.stop(1_000);
    socket.write(push5.subarray(100));
    await waitFor(() => /\r\n\r\n\{[\s\S]*\}$/.test(received), 5_000, "the answer");
    assert.match(received, /^HTTP\/1\.1 202 /, "the request in progress is answered");
    assert.match(received, /\r\nconnection: close\r\n/i, "and its connection is closed with it");
    await Promise.race([closed, sleep(2_000).then(() => assert.fail("the connection is still open"))]);
    assert.equal(await Promise.race([stopping.then(() => "stopped"), sleep(3_000).then(() => "still waiting")]), "stopped");
  } finally {
    socket.destroy();
    svc.fake.remove();
    rmSync(svc.dir, { recursive: true, force: true });
  }
});
