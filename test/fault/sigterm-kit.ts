// Shared by the SIGTERM fault tests: a child service on its own config and journal, stopped with
// SIGTERM while deliveries stream in, and restarted to drain what it left pending.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openJournal } from "../../src/journal/index.ts";
import { FAKE_LAMINARC, waitFor, type FakeLaminar } from "../fixtures/fake-laminar-dir.ts";
import { startChildService, type ChildService } from "../support/child-service.ts";
import { fakeProcesses, queuedPerDelivery, sleep, streamDeliveries } from "./fault-kit.ts";
import { HELLO_WORLD_CONFIG } from "../support/test-service.ts";

export const CONCURRENCY = 3;

export function writeConfig(dir: string, timeout: string): string {
  const file = join(dir, "config.yml");
  writeFileSync(file, `server: { listen: "127.0.0.1:0" }
laminar:
  laminarc: ${JSON.stringify(FAKE_LAMINARC)}
  concurrency: ${CONCURRENCY}
  timeout: ${timeout}
  retry: { attempts: 50, delay: 50ms, max_delay: 200ms }
journal: { path: journal.db }
log: { level: info }
${HELLO_WORLD_CONFIG.trimStart()}`);
  return file;
}

export interface Stopped {
  acknowledged: string[];
  stopMs: number;
  first: ChildService;
}

/** Streams deliveries into a child service until `ready()`, then SIGTERMs it under that load. */
export async function terminateUnderLoad(config: string, fake: FakeLaminar, senders: number, ready: (acknowledged: number) => boolean): Promise<Stopped> {
  const first = await startChildService(config, fake.env);
  const stream = streamDeliveries(() => first.url, "term", senders, 50);
  const acknowledged = () => stream.sent.filter((sent) => sent.status === 202).map((sent) => sent.id);
  try {
    await waitFor(() => ready(acknowledged().length), 20_000, "load before SIGTERM");
    const started = performance.now();
    first.child.kill("SIGTERM");
    // Bounded, so that a service that never stops fails this test instead of hanging the suite.
    const exit = await Promise.race([first.exited, sleep(15_000).then(() => "still running 15 s after SIGTERM" as const)]);
    assert.deepEqual(exit, { code: 0, signal: null }, "SIGTERM exits 0");
    const stopMs = performance.now() - started;
    const sent = await stream.stop();
    for (const answer of sent) {
      // After SIGTERM the port closes: a refused connection, never a 5xx or a 2xx for what was not kept.
      assert.ok(answer.status === 202 || answer.status === 0, `${answer.id}: ${answer.status} ${String(answer.body.message)}`);
    }
    assert.ok(first.logs.some((entry) => entry.msg === "stopped"));
    return { acknowledged: acknowledged(), stopMs, first };
  } finally {
    await stream.stop();
    if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill("SIGKILL");
  }
}

/** Restarts on the same journal with laminarc working: every acknowledged delivery is queued exactly once. */
export async function restartAndDrain(dir: string, config: string, fake: FakeLaminar, acknowledged: readonly string[]): Promise<void> {
  fake.setMode("ok");
  const second = await startChildService(config, fake.env);
  const journal = openJournal(join(dir, "journal.db"));
  try {
    await waitFor(() => acknowledged.every((id) => journal.getDelivery(id)?.status === "done"), 30_000, "every acknowledged delivery done after the restart");
    const queued = queuedPerDelivery(fake);
    for (const id of acknowledged) {
      assert.equal(queued.get(id)?.count, 1, `${id} was queued ${queued.get(id)?.count ?? 0} times`);
      assert.equal(journal.getDelivery(id)!.dispatches[0]!.run, queued.get(id)!.runs[0]);
    }
  } finally {
    await journal.close();
    second.child.kill("SIGTERM");
    assert.deepEqual(await second.exited, { code: 0, signal: null });
  }
  assert.deepEqual(fakeProcesses(fake.dir), [], "no laminarc outlives the service");
}
