// Reading the first frame of laminard's stream, against the fake laminard (which behaves as
// reference/laminard-http.md says: exact Accept, snapshots per scope, a stream that stays open).

import assert from "node:assert/strict";
import { test } from "node:test";
import { parseHomeSnapshot, parseRunSnapshot } from "../../src/laminar/follow-events.ts";
import { firstFrameData, laminardUrl, readFirstFrame } from "../../src/laminar/follow-snapshot.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";

test("firstFrameData: the first data frame, comment lines skipped, incomplete frames awaited", () => {
  assert.equal(firstFrameData('data: {"a":1}\n\n'), '{"a":1}');
  assert.equal(firstFrameData(':\n\ndata: {"a":1}\n\ndata: {"b":2}\n\n'), '{"a":1}');
  assert.equal(firstFrameData(':\ndata: {"a":1}\r\n\r\n'), '{"a":1}');
  assert.equal(firstFrameData('data: {"a":'), undefined);
  assert.equal(firstFrameData('data: {"a":1}\n'), undefined);
  assert.equal(firstFrameData("data:x\ndata:y\n\n"), "x\ny");
});

test("laminardUrl keeps a path prefix (laminard behind nginx)", () => {
  assert.equal(laminardUrl("http://127.0.0.1:8080", "jobs/ok/3").href, "http://127.0.0.1:8080/jobs/ok/3");
  assert.equal(laminardUrl("https://ci.example.com/laminar", "jobs/ok/3").href, "https://ci.example.com/laminar/jobs/ok/3");
  assert.equal(laminardUrl("https://ci.example.com/laminar/", "").href, "https://ci.example.com/laminar/");
});

test("the home and run snapshots of a laminard, read and the connection closed without waiting for a keep-alive", async (t) => {
  // A keep-alive far away: reading must not wait for it.
  const laminard = await FakeLaminard.start({ keepAliveMs: 60_000 });
  t.after(() => laminard.close());
  laminard.queue("ok", [], "demo reason");
  laminard.queue("ok", [], "");
  laminard.completeRun("ok", 1, "success");

  const home = parseHomeSnapshot(await readFirstFrame(laminardUrl(laminard.url, ""), { timeoutMs: 5000 }));
  assert.deepEqual(home.runs.map((run) => [run.job, run.number, run.state]), [["ok", 2, "queued"], ["ok", 1, "success"]]);
  assert.ok(home.time > 0);

  const done = parseRunSnapshot(await readFirstFrame(laminardUrl(laminard.url, "jobs/ok/1"), { timeoutMs: 5000 }));
  assert.equal(done.kind === "run" && done.state, "success");
  assert.equal(parseRunSnapshot(await readFirstFrame(laminardUrl(laminard.url, "jobs/ok/7"), { timeoutMs: 5000 })).kind, "unknown-run");
  assert.equal(parseRunSnapshot(await readFirstFrame(laminardUrl(laminard.url, "jobs/nope/1"), { timeoutMs: 5000 })).kind, "unknown-job");

  // A restart loses the queued run: it says queued, started 0, for ever.
  await laminard.restart();
  const lost = parseRunSnapshot(await readFirstFrame(laminardUrl(laminard.url, "jobs/ok/2"), { timeoutMs: 5000 }));
  assert.deepEqual(lost.kind === "run" && [lost.state, lost.startedAt], ["queued", undefined]);
  for (const request of laminard.requests) assert.equal(request.accept, "text/event-stream");
});

test("a page instead of the stream (wrong Accept, or laminar.http pointing elsewhere) is an error that says so", async (t) => {
  const laminard = await FakeLaminard.start();
  t.after(() => laminard.close());
  // laminard compares the whole Accept header.
  const page = await fetch(laminard.url, { headers: { accept: "text/event-stream, */*" } });
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  await page.text();

  const wrongAccept = (url: URL, init: RequestInit) => fetch(url, { ...init, headers: { accept: "application/json" } });
  await assert.rejects(readFirstFrame(laminardUrl(laminard.url, ""), { timeoutMs: 5000, fetch: wrongAccept }), /text\/html, not laminard's event stream/);
});

test("a laminard that sends nothing is given up on after the timeout; a refused connection is an error", async (t) => {
  const laminard = await FakeLaminard.start();
  t.after(() => laminard.close());
  const silent = async (url: URL, init: RequestInit) => {
    const response = await fetch(url, init);
    await response.body?.cancel();
    return new Response(new ReadableStream({ start() {} }), { status: 200, headers: { "content-type": "text/event-stream" } });
  };
  await assert.rejects(readFirstFrame(laminardUrl(laminard.url, ""), { timeoutMs: 100, fetch: silent }), /did not send a snapshot within 100 ms/);
  await laminard.down();
  await assert.rejects(readFirstFrame(laminardUrl(laminard.url, ""), { timeoutMs: 5000 }), /fetch failed/);
});
