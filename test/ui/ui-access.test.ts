// Who may read the deliveries page, over real HTTP to the running service: loopback yes; a client
// forwarded by a proxy is not loopback; with ui.auth, HTTP basic for everyone; ui.enabled: false
// hides it. Every answer under /ui/ carries the strict Content-Security-Policy.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { HELLO_WORLD_CONFIG, startTestService, type TestService } from "../support/test-service.ts";

const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const PASSWORD = "correct horse battery staple";
const AUTH = `ui: { auth: { user: admin, password: { env: UI_PASSWORD } } }\n`;

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

async function get(svc: TestService, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${svc.url}${path}`, { headers, redirect: "manual" });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function reload(svc: TestService, body: string): void {
  svc.writeConfig(body);
  const result = svc.service.reload();
  assert.ok(result.ok, result.ok ? "" : result.error.message);
}

describe("behind a trusted proxy (trust_proxy: true)", () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ config: HELLO_WORLD_CONFIG, server: "  trust_proxy: true", env: { UI_PASSWORD: PASSWORD } });
  });
  after(() => svc.stop());

  test("a loopback client gets the page, with the strict policy and no caching", async () => {
    const answer = await get(svc, "/ui/");
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get("content-type") ?? "", /^text\/html/);
    assert.equal(answer.headers.get("content-security-policy"), CSP);
    assert.equal(answer.headers.get("x-content-type-options"), "nosniff");
    assert.equal(answer.headers.get("cache-control"), "no-store");
    assert.match(answer.text, /<h1>Deliveries<\/h1>/);
    const css = await get(svc, "/ui/style.css");
    assert.equal(css.status, 200);
    assert.match(css.headers.get("content-type") ?? "", /^text\/css/);
    assert.match(css.text, /prefers-color-scheme: dark/);
  });

  test("/ui redirects to /ui/ with a relative Location, so a proxy's prefix stays", async () => {
    const answer = await get(svc, "/ui");
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get("location"), "ui/");
  });

  test("a client the proxy forwards from elsewhere is refused with how to enable auth", async () => {
    const answer = await get(svc, "/ui/", { "x-forwarded-for": "203.0.113.9" });
    assert.equal(answer.status, 403);
    assert.equal(answer.headers.get("content-security-policy"), CSP);
    assert.match(answer.text, /answers only browsers on this machine; to open it to others, set ui\.auth/);
    assert.doesNotMatch(answer.text, /<table class="deliveries"|Nothing yet/);
    assert.equal((await get(svc, "/ui/style.css", { "x-forwarded-for": "203.0.113.9" })).status, 403);
    // A client-written entry left of the proxy's own does not make a stranger local.
    assert.equal((await get(svc, "/ui/", { "x-forwarded-for": "127.0.0.1, 203.0.113.9" })).status, 403);
    // The proxy forwarding a browser on this machine is loopback.
    assert.equal((await get(svc, "/ui/", { "x-forwarded-for": "127.0.0.1" })).status, 200);
  });

  test("with ui.auth: no or wrong credentials are 401 with a challenge, the right ones 200, never the password shown", async () => {
    reload(svc, `${HELLO_WORLD_CONFIG}${AUTH}`);
    const stranger = { "x-forwarded-for": "203.0.113.9" };
    const missing = await get(svc, "/ui/", stranger);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get("www-authenticate"), `Basic realm="laminar-hooks", charset="UTF-8"`);
    assert.equal(missing.headers.get("content-security-policy"), CSP);
    assert.match(missing.text, /needs the user and password of ui\.auth/);
    for (const authorization of [basic("admin", "wrong"), basic("root", PASSWORD), basic("admin", `${PASSWORD}x`), "Basic !!!", `Bearer ${PASSWORD}`]) {
      const wrong = await get(svc, "/ui/", { ...stranger, authorization });
      assert.equal(wrong.status, 401, authorization);
      assert.ok(!wrong.text.includes(PASSWORD));
    }
    const right = await get(svc, "/ui/", { ...stranger, authorization: basic("admin", PASSWORD) });
    assert.equal(right.status, 200);
    assert.match(right.text, /<h1>Deliveries<\/h1>/);
    assert.ok(!right.text.includes(PASSWORD), "the page never shows the password");
    // Once auth is set it is asked of everyone, loopback too (nginx on this box looks local).
    assert.equal((await get(svc, "/ui/")).status, 401);
    assert.equal((await get(svc, "/ui/", { authorization: basic("admin", PASSWORD) })).status, 200);
  });

  test("with ui.auth: past ten wrong guesses an address gets 429 with Retry-After, the right password too; others may still log in", async () => {
    reload(svc, `${HELLO_WORLD_CONFIG}${AUTH}`);
    const guesser = { "x-forwarded-for": "203.0.113.77" };
    // A browser's first request, without credentials, is not a guess.
    assert.equal((await get(svc, "/ui/", guesser)).status, 401);
    for (let guess = 1; guess <= 10; guess++) {
      const wrong = await get(svc, "/ui/", { ...guesser, authorization: basic("admin", `guess ${guess}`) });
      assert.equal(wrong.status, 401, `guess ${guess}`);
    }
    const locked = await get(svc, "/ui/", { ...guesser, authorization: basic("admin", PASSWORD) });
    assert.equal(locked.status, 429);
    const retryAfter = Number(locked.headers.get("retry-after"));
    assert.ok(retryAfter > 14 * 60 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}`);
    assert.match(locked.text, /too many wrong users or passwords for the deliveries page from 203\.0\.113\.77; try again in \d+ s/);
    assert.ok(!locked.text.includes(PASSWORD));
    assert.equal(locked.headers.get("content-security-policy"), CSP);
    // Another address is not held back by this one's guesses.
    const other = await get(svc, "/ui/", { "x-forwarded-for": "198.51.100.4", authorization: basic("admin", PASSWORD) });
    assert.equal(other.status, 200);
  });

  test("ui.enabled: false answers 404 for every page, loopback or not", async () => {
    reload(svc, `${HELLO_WORLD_CONFIG}ui: { enabled: false }\n`);
    for (const path of ["/ui/", "/ui/style.css", "/ui/deliveries/1"]) {
      const answer = await get(svc, path);
      assert.equal(answer.status, 404, path);
      assert.match(answer.text, /turned off \(ui\.enabled: false/);
    }
    reload(svc, HELLO_WORLD_CONFIG);
    assert.equal((await get(svc, "/ui/")).status, 200);
  });

  test("bad filters and unknown deliveries are 4xx pages that say what is wrong", async () => {
    const status = await get(svc, "/ui/?status=everything");
    assert.equal(status.status, 400);
    assert.match(status.text, /status must be one of ignored, queued, done, failed/);
    assert.equal((await get(svc, "/ui/?before=yesterday")).status, 400);
    assert.equal((await get(svc, "/ui/?limit=100000")).status, 400);
    assert.equal((await get(svc, "/ui/?status=done&status=failed")).status, 400);
    const missing = await get(svc, "/ui/deliveries/424242");
    assert.equal(missing.status, 404);
    assert.match(missing.text, /no delivery 424242 in the journal/);
  });
});

describe("without a trusted proxy (trust_proxy: false)", () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ config: HELLO_WORLD_CONFIG });
  });
  after(() => svc.stop());

  test("a proxied request is not taken for a local one, whatever it forwards", async () => {
    assert.equal((await get(svc, "/ui/")).status, 200);
    // nginx on this machine, not told to the service: its visitors would all look like loopback.
    assert.equal((await get(svc, "/ui/", { "x-forwarded-for": "127.0.0.1" })).status, 403);
    assert.equal((await get(svc, "/ui/", { "x-real-ip": "203.0.113.9" })).status, 403);
    assert.equal((await get(svc, "/ui/", { forwarded: "for=203.0.113.9" })).status, 403);
  });
});
