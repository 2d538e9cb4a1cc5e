// The event stream to laminard: first frame as the snapshot, then events; reconnecting with
// backoff after a restart, while laminard is down, and when the connection goes silent.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Frame } from "../../src/laminar/follow-events.ts";
import { LaminardStream } from "../../src/laminar/follow-stream.ts";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";

function recorder() {
  const seen = { snapshots: [] as Frame[], events: [] as Frame[], downs: [] as { why: string; failures: number; retryInMs: number }[] };
  return {
    seen,
    handlers: {
      snapshot: (frame: Frame) => seen.snapshots.push(frame),
      event: (frame: Frame) => seen.events.push(frame),
      down: (why: string, failures: number, retryInMs: number) => seen.downs.push({ why, failures, retryInMs }),
    },
  };
}

test("the first frame is the snapshot, later ones events; a restart is followed by a new snapshot", async (t) => {
  const laminard = await FakeLaminard.start();
  t.after(() => laminard.close());
  const { seen, handlers } = recorder();
  const stream = new LaminardStream({ url: new URL(`${laminard.url}/`), handlers, backoff: { delayMs: 40, maxDelayMs: 400 }, random: () => 0 });
  t.after(() => stream.close());

  await waitFor(() => seen.snapshots.length === 1, 5000, "the snapshot");
  assert.equal(seen.snapshots[0]?.type, "status");
  laminard.queue("ok", [], "demo reason");
  await waitFor(() => seen.events.length === 1, 5000, "the event");
  assert.equal(seen.events[0]?.type, "job_queued");
  assert.deepEqual(seen.events[0]?.data, { name: "ok", number: 1, result: "queued", queueIndex: 0, reason: "demo reason" });

  await laminard.restart();
  await waitFor(() => seen.snapshots.length === 2, 5000, "the snapshot after the restart");
  // Half the first delay (random 0): the first reconnect after a good connection is quick.
  assert.deepEqual(seen.downs.map((down) => [down.failures, down.retryInMs]), [[1, 20]]);
  for (const request of laminard.requests) assert.equal(request.accept, "text/event-stream");
});

test("while laminard is down, each failure waits longer, up to the maximum; a snapshot resets the count", async (t) => {
  const laminard = await FakeLaminard.start();
  t.after(() => laminard.close());
  await laminard.down();
  const { seen, handlers } = recorder();
  const stream = new LaminardStream({ url: new URL(`${laminard.url}/`), handlers, backoff: { delayMs: 10, maxDelayMs: 40 }, random: () => 1 });
  t.after(() => stream.close());

  await waitFor(() => seen.downs.length >= 4, 5000, "four failures");
  assert.deepEqual(seen.downs.slice(0, 4).map((down) => [down.failures, down.retryInMs]), [[1, 10], [2, 20], [3, 40], [4, 40]]);
  assert.match(seen.downs[0]?.why ?? "", /fetch failed|ECONNREFUSED/);
  await laminard.up();
  await waitFor(() => seen.snapshots.length === 1, 5000, "the snapshot once it is up");
  const before = seen.downs.length;
  await laminard.restart();
  await waitFor(() => seen.downs.length > before, 5000, "the drop");
  assert.equal(seen.downs[before]?.failures, 1);
});

test("a connection with no byte for idleTimeoutMs (not even a keep-alive) is dropped and made again", async (t) => {
  const laminard = await FakeLaminard.start({ keepAliveMs: 60_000 });
  t.after(() => laminard.close());
  const { seen, handlers } = recorder();
  const stream = new LaminardStream({ url: new URL(`${laminard.url}/`), handlers, idleTimeoutMs: 200, backoff: { delayMs: 10, maxDelayMs: 10 } });
  t.after(() => stream.close());
  await waitFor(() => seen.snapshots.length >= 2, 5000, "a second connection");
  assert.match(seen.downs[0]?.why ?? "", /nothing received for 200ms, not even a keep-alive/);
  assert.ok(laminard.streamsOpened >= 2);
});

test("a server that answers with a page is not taken for laminard, and is tried again", async (t) => {
  const laminard = await FakeLaminard.start();
  t.after(() => laminard.close());
  const { seen, handlers } = recorder();
  // As if laminar.http named a proxy that rewrote the Accept header: laminard answers index.html.
  const rewriting = ((url: URL, init: RequestInit) => fetch(url, { ...init, headers: { accept: "text/event-stream, */*" } })) as never;
  const stream = new LaminardStream({ url: new URL(`${laminard.url}/`), handlers, fetch: rewriting, backoff: { delayMs: 10, maxDelayMs: 10 } });
  t.after(() => stream.close());
  await waitFor(() => seen.downs.length >= 2, 5000, "two failures");
  assert.match(seen.downs[0]?.why ?? "", /Invalid content type, expected "text\/event-stream"/);
  assert.equal(seen.snapshots.length, 0);
});
