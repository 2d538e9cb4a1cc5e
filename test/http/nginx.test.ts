// A real nginx (Debian's package; .ci/run installs it) in front of the service, with the example
// site of laminar.example/: signed deliveries through it, the client address from
// X-Forwarded-For, and a 20 MB payload (nginx's own default would answer 413 at 1 MB).

import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { anotherPush, payload } from "../support/payloads.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders, startTestService, type TestService, HELLO_WORLD_CONFIG } from "../support/test-service.ts";

const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((path) => existsSync(path));
const SITE = fileURLToPath(new URL("../../laminar.example/nginx/laminar-hooks.conf", import.meta.url));
// On CI nginx must be there (.ci/run installs it): a missing one is a failure, not a skip.
const skip = NGINX === undefined && process.env.CI !== "true" ? "nginx is not installed (apt-get install nginx-light)" : false;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe("behind nginx with the example site", { skip }, () => {
  let svc: TestService;
  let nginx: ChildProcess;
  let base: string;

  before(async () => {
    svc = await startTestService({
      config: HELLO_WORLD_CONFIG,
      listen: "unix:{dir}/hooks.sock",
      server: "  trust_proxy: true\n  socket: { mode: \"0666\" }",
    });
    // nginx's workers run as nobody: they must reach the socket inside the test's private folder.
    chmodSync(svc.dir, 0o711);
    const port = await freePort();
    const prefix = join(svc.dir, "nginx");
    mkdirSync(prefix, { recursive: true });
    // The example site as shipped, pointed at this test's socket and port.
    const site = readFileSync(SITE, "utf8")
      .replaceAll("unix:/run/laminar-hooks/hooks.sock", `unix:${join(svc.dir, "hooks.sock")}`)
      .replace("listen 80;", `listen 127.0.0.1:${port};`)
      .replace("listen [::]:80;", "");
    assert.notEqual(site, readFileSync(SITE, "utf8"));
    writeFileSync(join(prefix, "site.conf"), site);
    writeFileSync(join(prefix, "nginx.conf"), `daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 64; }
http {
  access_log ${prefix}/access.log;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  include ${prefix}/site.conf;
}
`);
    const tested = spawnSync(NGINX!, ["-t", "-p", prefix, "-c", join(prefix, "nginx.conf")], { encoding: "utf8" });
    assert.equal(tested.status, 0, tested.stderr);
    nginx = spawn(NGINX!, ["-p", prefix, "-c", join(prefix, "nginx.conf")], { stdio: "ignore" });
    base = `http://127.0.0.1:${port}`;
    for (let tries = 0; ; tries++) {
      try {
        await fetch(`${base}/hooks`, { method: "GET" });
        break;
      } catch (error) {
        if (tries > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });

  after(async () => {
    if (process.env.KEEP_NGINX_LOG) console.log(readFileSync(join(svc.dir, "nginx", "error.log"), "utf8"));
    nginx?.kill("SIGQUIT");
    if (nginx) await once(nginx, "exit");
    await svc?.stop();
  });

  test("a signed delivery through nginx is accepted; the journal has the client address nginx saw", async () => {
    const push5 = payload("github/push-5.json");
    const response = await fetch(`${base}/hooks`, {
      method: "POST",
      body: push5,
      // A client-written X-Forwarded-For: nginx appends the real address, which is the one to keep.
      headers: { ...githubHeaders("push", "nginx-1", githubSignature("topsecret", push5)), "x-forwarded-for": "203.0.113.66" },
    });
    const answer = (await response.json()) as { message: string };
    assert.equal(response.status, 202, answer.message);
    const stored = svc.service.journal.getDelivery("nginx-1");
    assert.equal(stored?.remoteAddress, "127.0.0.1", "from X-Forwarded-For: the service itself only sees a unix socket");
    assert.equal(stored?.headers["x-forwarded-for"], "203.0.113.66, 127.0.0.1");
    await waitFor(() => svc.fake.calls().some((call) => call.argv.includes("delivery=nginx-1")), 5_000, "laminarc call");
  });

  test("a 20 MB payload passes nginx and body_limit; a wrong signature on it is still 401", async () => {
    const document = JSON.parse(payload("github/push-5.json").toString("utf8")) as Record<string, unknown>;
    document.padding = "x".repeat(20 * 1024 * 1024);
    // A push of its own (another `before`): a copy of nginx-1's would be answered 200 duplicate.
    const big = anotherPush(Buffer.from(JSON.stringify(document)), "nginx-big");
    assert.ok(big.length > 20 * 1024 * 1024);
    const response = await fetch(`${base}/hooks`, {
      method: "POST", body: big, headers: githubHeaders("push", "nginx-big", githubSignature("topsecret", big)),
    });
    assert.equal(response.status, 202, await response.text());
    const wrong = await fetch(`${base}/hooks`, {
      method: "POST", body: big, headers: githubHeaders("push", "nginx-big-2", githubSignature("nope", big)),
    });
    assert.equal(wrong.status, 401);
  });

  test("the deliveries page through nginx: a browser on this machine, then HTTP basic once ui.auth is set", async () => {
    // nginx forwards this test's own address (127.0.0.1); test/ui/ui-access.test.ts refuses others.
    const local = await fetch(`${base}/ui/`);
    assert.equal(local.status, 200);
    assert.equal((await fetch(`${base}/ui/style.css`)).status, 200);
    svc.writeConfig(`${HELLO_WORLD_CONFIG}ui: { auth: { user: admin, password: nginx-test-password } }\n`);
    assert.ok(svc.service.reload().ok);
    assert.equal((await fetch(`${base}/ui/`)).status, 401);
    const page = await fetch(`${base}/ui/`, { headers: { authorization: `Basic ${Buffer.from("admin:nginx-test-password").toString("base64")}` } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<h1>Deliveries<\/h1>[\s\S]*Codertocat\/Hello-World/);
  });
});
