// The service as a process: killed with SIGKILL mid-burst and restarted on the same journal, and
// stopped with SIGTERM while laminarc hangs.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openJournal } from "../../src/journal/index.ts";
import { createFakeLaminar, FAKE_LAMINARC, processExists, waitFor } from "../fixtures/fake-laminar-dir.ts";
import { startChildService } from "../support/child-service.ts";
import { anotherPush, payload } from "../support/payloads.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders, HELLO_WORLD_CONFIG } from "../support/test-service.ts";

const push5 = payload("github/push-5.json");

function writeConfig(dir: string, laminar: string): string {
  const file = join(dir, "config.yml");
  writeFileSync(file, `server: { listen: "127.0.0.1:0" }
laminar:
  laminarc: ${JSON.stringify(FAKE_LAMINARC)}
${laminar}
journal: { path: journal.db }
log: { level: info }
${HELLO_WORLD_CONFIG.trimStart()}`);
  return file;
}

test("SIGKILL during a burst, then restart: every acknowledged delivery is queued, none twice but in-flight ones", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lh-kill-"));
  const fake = createFakeLaminar({ mode: "slow:40" });
  const concurrency = 2;
  const config = writeConfig(dir, `  concurrency: ${concurrency}\n  timeout: 5s\n  retry: { attempts: 20, delay: 50ms, max_delay: 200ms }`);
  try {
    const first = await startChildService(config, fake.env);
    const acknowledged = new Set<string>();
    let sent = 0;
    let killed = false;
    const sender = async (worker: number) => {
      for (let i = 0; i < 60 && !killed; i++) {
        const id = `kill-${worker}-${i}`;
        sent++;
        // A push of its own each: one push builds once, whatever its delivery ids.
        const body = anotherPush(push5, id);
        try {
          const response = await fetch(`${first.url}/hooks`, {
            method: "POST", body, headers: githubHeaders("push", id, githubSignature("topsecret", body)),
          });
          if (response.status === 202) acknowledged.add(id);
          await response.arrayBuffer();
        } catch {
          // The service died under this request: it was never acknowledged.
        }
      }
    };
    const senders = Promise.all([0, 1, 2, 3, 4].map(sender));
    await waitFor(() => acknowledged.size >= 40, 15_000, "40 acknowledged deliveries");
    first.child.kill("SIGKILL");
    killed = true;
    await first.exited;
    await senders;
    assert.ok(acknowledged.size >= 40 && sent > acknowledged.size - 1);

    fake.setMode("ok");
    const second = await startChildService(config, fake.env);
    const journal = openJournal(join(dir, "journal.db"));
    try {
      await waitFor(() => {
        const items = journal.listDeliveries({ limit: 1000 });
        return items.length >= acknowledged.size && items.every((item) => item.status === "done");
      }, 30_000, "every journaled delivery done");
      const items = journal.listDeliveries({ limit: 1000 });
      const journaled = new Set(items.map((item) => item.deliveryId));
      for (const id of acknowledged) assert.ok(journaled.has(id), `acknowledged ${id} is in the journal`);

      const succeeded = fake.calls().filter((call) => call.exitCode === 0);
      const perDelivery = new Map<string, number>();
      for (const call of succeeded) {
        const id = call.argv.find((arg) => arg.startsWith("delivery="))!.slice("delivery=".length);
        perDelivery.set(id, (perDelivery.get(id) ?? 0) + 1);
      }
      for (const id of acknowledged) assert.ok((perDelivery.get(id) ?? 0) >= 1, `${id} reached laminarc`);
      const twice = [...perDelivery.values()].filter((count) => count > 1).length;
      assert.ok(twice <= concurrency, `${twice} deliveries queued twice; at most ${concurrency} were in flight at the kill`);
      assert.ok([...perDelivery.values()].every((count) => count <= 2));
    } finally {
      await journal.close();
      second.child.kill("SIGTERM");
      assert.deepEqual(await second.exited, { code: 0, signal: null });
    }
  } finally {
    fake.remove();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("SIGTERM while laminarc hangs: exit 0, no orphaned laminarc, the dispatch resumes at the next start", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lh-term-"));
  const fake = createFakeLaminar({ mode: "hang" });
  const config = writeConfig(dir, "  timeout: 2s\n  retry: { attempts: 5, delay: 100ms, max_delay: 100ms }");
  try {
    const first = await startChildService(config, fake.env);
    const answer = await fetch(`${first.url}/hooks`, {
      method: "POST", body: push5, headers: githubHeaders("push", "term-1", githubSignature("topsecret", push5)),
    });
    assert.equal(answer.status, 202);
    const hung = await waitFor(() => fake.calls()[0], 5_000, "laminarc to start");
    assert.ok(processExists(hung.pid));

    first.child.kill("SIGTERM");
    assert.deepEqual(await first.exited, { code: 0, signal: null });
    assert.equal(processExists(hung.pid), false, "the hung laminarc was killed, not orphaned");
    assert.ok(first.logs.some((entry) => entry.msg === "stopped"));

    const journal = openJournal(join(dir, "journal.db"));
    assert.equal(journal.getDelivery("term-1")?.dispatches[0]?.status, "pending");
    await journal.close();

    fake.setMode("ok");
    const second = await startChildService(config, fake.env);
    const reopened = openJournal(join(dir, "journal.db"));
    try {
      const done = await waitFor(() => {
        const dispatch = reopened.getDelivery("term-1")?.dispatches[0];
        return dispatch?.status === "done" && dispatch;
      }, 10_000, "the dispatch to be queued after restart");
      assert.equal(done.run, "hello:1");
    } finally {
      await reopened.close();
      second.child.kill("SIGTERM");
      await second.exited;
    }
  } finally {
    fake.remove();
    rmSync(dir, { recursive: true, force: true });
  }
});
