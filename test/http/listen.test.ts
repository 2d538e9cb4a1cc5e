// Listening as an admin sets it up: a unix socket for nginx, HTTPS for forges that come
// directly, X-Forwarded-For only from a trusted proxy, an allow-list, loopback-only internals.

import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync, statSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { anotherPush, payload } from "../support/payloads.ts";
import { rawRequest } from "../support/request.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders, startTestService, HELLO_WORLD_CONFIG } from "../support/test-service.ts";

const push5 = payload("github/push-5.json");
const signed = (id: string, extra: Record<string, string> = {}) => ({
  ...githubHeaders("push", id, githubSignature("topsecret", push5)), ...extra,
});
const TLS_DIR = fileURLToPath(new URL("../fixtures/tls/", import.meta.url));

test("a unix socket with the configured mode, and the client address from X-Forwarded-For when trusted", async () => {
  const svc = await startTestService({ config: HELLO_WORLD_CONFIG, listen: "unix:{dir}/hooks.sock", server: "  trust_proxy: true\n  socket: { mode: \"0600\" }" });
  try {
    const socketPath = join(svc.dir, "hooks.sock");
    assert.equal(svc.url, `unix:${socketPath}`);
    assert.equal(statSync(socketPath).mode & 0o777, 0o600);
    const answer = await rawRequest({
      socketPath, path: "/hooks", method: "POST", body: push5,
      headers: signed("unix-1", { "x-forwarded-for": "203.0.113.9, 198.51.100.7" }),
    });
    assert.equal(answer.status, 202, answer.text);
    assert.equal(svc.service.journal.getDelivery("unix-1")?.remoteAddress, "198.51.100.7",
      "the right-most address: the one nginx appended, not the one the client wrote");
  } finally {
    await svc.stop();
  }
});

test("without trust_proxy, X-Forwarded-For is ignored", async () => {
  const svc = await startTestService({ config: HELLO_WORLD_CONFIG });
  try {
    const answer = await svc.post("/hooks", push5, signed("xff-1", { "x-forwarded-for": "203.0.113.9" }));
    assert.equal(answer.status, 202);
    assert.equal(svc.service.journal.getDelivery("xff-1")?.remoteAddress, "127.0.0.1");
  } finally {
    await svc.stop();
  }
});

test("server.allow answers 403 to senders outside it, before reading their body", async () => {
  const svc = await startTestService({ config: HELLO_WORLD_CONFIG, server: "  trust_proxy: true\n  allow: [192.0.2.0/24, \"2001:db8::/32\"]" });
  try {
    const outside = await svc.post("/hooks", push5, signed("allow-1", { "x-forwarded-for": "198.51.100.7" }));
    assert.equal(outside.status, 403);
    assert.equal(outside.body.message, "198.51.100.7 is not in server.allow");
    const inside = await svc.post("/hooks", push5, signed("allow-2", { "x-forwarded-for": "192.0.2.44" }));
    assert.equal(inside.status, 202);
    // Another push: the same one again would be a duplicate of allow-2.
    const other = anotherPush(push5, "allow-3");
    const v6 = await svc.post("/hooks", other, { ...githubHeaders("push", "allow-3", githubSignature("topsecret", other)), "x-forwarded-for": "2001:db8::1" });
    assert.equal(v6.status, 202);
    assert.equal(svc.service.journal.getDelivery("allow-1"), undefined, "refused before the journal: never queued");
  } finally {
    await svc.stop();
  }
});

test("internal_loopback_only keeps /metrics and /readyz from other addresses", async () => {
  const svc = await startTestService({ config: HELLO_WORLD_CONFIG, server: "  trust_proxy: true\n  internal_loopback_only: true" });
  try {
    assert.equal((await fetch(`${svc.url}/metrics`)).status, 200);
    const proxied = await fetch(`${svc.url}/metrics`, { headers: { "x-forwarded-for": "203.0.113.9" } });
    assert.equal(proxied.status, 403);
    assert.equal((await fetch(`${svc.url}/readyz`, { headers: { "x-forwarded-for": "203.0.113.9" } })).status, 403);
    assert.equal((await fetch(`${svc.url}/healthz`, { headers: { "x-forwarded-for": "203.0.113.9" } })).status, 200);
  } finally {
    await svc.stop();
  }
});

test("HTTPS with the configured certificate", async () => {
  const svc = await startTestService({
    config: HELLO_WORLD_CONFIG,
    server: `  tls: { cert: ${JSON.stringify(join(TLS_DIR, "localhost.crt"))}, key: ${JSON.stringify(join(TLS_DIR, "localhost.key"))} }`,
  });
  try {
    assert.match(svc.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(svc.url).port);
    const answer = await rawRequest({
      host: "127.0.0.1", port, path: "/hooks", method: "POST", body: push5, headers: signed("tls-1"),
      tls: { ca: readFileSync(join(TLS_DIR, "localhost.crt")) },
    });
    assert.equal(answer.status, 202, answer.text);
  } finally {
    await svc.stop();
  }
});

test("a client that sends its headers too slowly is cut off after header_timeout; the socket group is set", async () => {
  const svc = await startTestService({ config: HELLO_WORLD_CONFIG, listen: "unix:{dir}/slow.sock", server: "  header_timeout: 500ms\n  socket: { mode: \"0660\", group: root }" });
  try {
    const socketPath = join(svc.dir, "slow.sock");
    assert.equal(statSync(socketPath).gid, 0);
    const socket = connect(socketPath);
    await once(socket, "connect");
    socket.write("POST /hooks HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: push\r\n"); // and never the rest
    const started = Date.now();
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("utf8")));
    await once(socket, "close");
    const waited = Date.now() - started;
    assert.match(answer, /^HTTP\/1\.1 408 /, "Node answers 408 Request Timeout");
    assert.ok(waited >= 400 && waited < 5_000, `cut off after ${waited} ms`);
  } finally {
    await svc.stop();
  }
});
