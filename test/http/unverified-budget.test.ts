// The bound on bytes held by bodies whose signature is not checked yet (server.unverified_limit):
// the bookkeeping alone, then through the HTTP server, where every way out gives the share back.

import assert from "node:assert/strict";
import { test } from "node:test";
import { UnverifiedBudget } from "../../src/http/unverified-budget.ts";
import { payload } from "../support/payloads.ts";
import { githubSignature } from "../support/sign.ts";
import { slowRequest } from "../support/slow-request.ts";
import { githubHeaders, HELLO_WORLD_CONFIG, startTestService, type TestService } from "../support/test-service.ts";

const KB = 1024;

test("a hold reserves, grows while it fits, and gives back once; the limit is read at each reservation", () => {
  let limit = 100;
  const seen: number[] = [];
  const budget = new UnverifiedBudget(() => limit, (held) => seen.push(held));
  const a = budget.hold(60)!;
  assert.equal(a.bytes, 60);
  assert.equal(budget.hold(50), undefined, "60 + 50 is past 100");
  const b = budget.hold(0)!;
  assert.ok(b.growTo(40), "60 + 40 fits exactly");
  assert.equal(b.growTo(41), false);
  assert.equal(b.bytes, 40, "a refused growth changes nothing");
  assert.ok(b.growTo(10), "less than held is already covered");
  assert.equal(budget.held, 100);
  a.release();
  a.release();
  assert.equal(budget.held, 40, "a second release gives nothing back twice");
  assert.equal(a.growTo(10), false, "a released hold cannot grow again");
  limit = 30;
  assert.equal(budget.hold(1), undefined, "a lower limit applies to the next reservation");
  assert.ok(budget.hold(0), "a zero hold is always granted: it grows as bytes come");
  b.release();
  assert.equal(budget.held, 0);
  assert.deepEqual(seen, [60, 100, 40, 0]);
});

const unsigned = (id: string, extra: Record<string, string> = {}) => ({ ...githubHeaders("push", id), ...extra });

async function scrape(svc: TestService): Promise<string> {
  return await (await fetch(`${svc.url}/metrics`)).text();
}

function metricValue(text: string, name: string): number | undefined {
  const line = text.split("\n").find((entry) => entry.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** Polls /metrics until the gauge of unverified bytes reads `bytes`. */
async function heldBecomes(svc: TestService, bytes: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  let last: number | undefined;
  for (;;) {
    last = metricValue(await scrape(svc), "laminar_hooks_unverified_bytes");
    if (last === bytes) return;
    if (Date.now() > deadline) throw new Error(`unverified bytes stayed at ${last}, not ${bytes}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test("past server.unverified_limit: 503 with Retry-After, counted; shares come back when refused and when the sender gives up", async () => {
  const svc = await startTestService({ config: HELLO_WORLD_CONFIG, server: "  body_limit: 1mb\n  unverified_limit: 100kb" });
  try {
    const first = slowRequest(svc.url, "/hooks", unsigned("u-1", { "content-length": String(60 * KB) }));
    await first.write(Buffer.alloc(KB, 0x20));
    await heldBecomes(svc, 60 * KB);

    // Reserved by Content-Length up front: refused before a byte of it is read.
    const second = slowRequest(svc.url, "/hooks", unsigned("u-2", { "content-length": String(60 * KB) }));
    const refused = await second.answer;
    assert.equal(refused.status, 503);
    assert.equal(refused.headers["retry-after"], "5");
    // The connection stays: the rest of the body is read into nothing, so the 503 is not lost to a
    // reset that closing over unread bytes would send.
    assert.equal(refused.headers.connection, "keep-alive");
    assert.equal(refused.body.message, "busy: bodies not verified yet hold 60kb of server.unverified_limit (100kb); send the delivery again in a few seconds");

    // Chunked: counted as it comes, refused once it would pass the limit, its share given back.
    const chunked = slowRequest(svc.url, "/hooks", unsigned("u-3"));
    await chunked.write(Buffer.alloc(30 * KB, 0x20));
    await heldBecomes(svc, 90 * KB);
    await chunked.write(Buffer.alloc(20 * KB, 0x20));
    const cut = await chunked.answer;
    assert.equal(cut.status, 503, cut.body.message);
    assert.equal(cut.headers["retry-after"], "5");
    await heldBecomes(svc, 60 * KB);

    const text = await scrape(svc);
    assert.equal(metricValue(text, 'laminar_hooks_unverified_refused_total{forge="github"}'), 2);

    // A sender that gives up mid-body.
    first.abort();
    await heldBecomes(svc, 0);
    assert.equal((await first.answer).status, 0);

    // Room again: a signed delivery goes through, and holds nothing once answered.
    const push5 = payload("github/push-5.json");
    const accepted = await svc.post("/hooks", push5, githubHeaders("push", "u-4", githubSignature("topsecret", push5)));
    assert.equal(accepted.status, 202, accepted.body.message);
    await heldBecomes(svc, 0);
    assert.equal(svc.service.journal.getDelivery("u-2"), undefined, "a refused delivery is not journaled");
  } finally {
    await svc.stop();
  }
});

test("a body that alone is larger than unverified_limit is a 413 that says so, with or without Content-Length", async () => {
  const svc = await startTestService({ config: HELLO_WORLD_CONFIG, server: "  body_limit: 1mb\n  unverified_limit: 100kb" });
  try {
    const message = "the body is larger than server.unverified_limit (100kb), the most that bodies not verified yet may hold";
    const declared = slowRequest(svc.url, "/hooks", unsigned("big-1", { "content-length": String(200 * KB) }));
    const answer = await declared.answer;
    assert.equal(answer.status, 413);
    assert.equal(answer.body.message, message);

    const chunked = slowRequest(svc.url, "/hooks", unsigned("big-2"));
    for (let sent = 0; sent < 200 && !chunked.answered; sent += 20) await chunked.write(Buffer.alloc(20 * KB, 0x20));
    const cut = await chunked.answer;
    assert.equal(cut.status, 413);
    assert.equal(cut.body.message, message);
    await heldBecomes(svc, 0);
  } finally {
    await svc.stop();
  }
});

test("a sender cut off by request_timeout gives its share back", async () => {
  const svc = await startTestService({ config: HELLO_WORLD_CONFIG, server: "  header_timeout: 500ms\n  request_timeout: 1s" });
  try {
    const stalled = slowRequest(svc.url, "/hooks", unsigned("slow-1", { "content-length": String(10 * KB) }));
    await stalled.write(Buffer.alloc(KB, 0x20));
    await heldBecomes(svc, 10 * KB);
    const chunked = slowRequest(svc.url, "/hooks", unsigned("slow-2"));
    await chunked.write(Buffer.alloc(3 * KB, 0x20));
    await heldBecomes(svc, 13 * KB);
    // Node answers 408 itself, or its socket timeout (the same time) closes first: either way the
    // body's read fails, and its share is released.
    for (const cut of [stalled, chunked]) assert.ok([0, 408].includes((await cut.answer).status));
    await heldBecomes(svc, 0);
  } finally {
    await svc.stop();
  }
});
