// The README's first command on a fresh clone: `npm ci && npm start` serves the example config.
// It installs every dependency again (better-sqlite3 compiles for about 90 s), so it runs on CI
// (CI=true) or when asked with LAMINAR_HOOKS_TEST_FRESH_CLONE=1, and is skipped otherwise.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const wanted = process.env.CI === "true" || process.env.LAMINAR_HOOKS_TEST_FRESH_CLONE === "1";

test("npm ci && npm start on a fresh clone answers on 127.0.0.1:9090", { skip: !wanted && "set LAMINAR_HOOKS_TEST_FRESH_CLONE=1 (CI runs it)", timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "lh-clone-"));
  const clone = join(dir, "laminar-hooks");
  try {
    const cloned = spawnSync("git", ["clone", "--quiet", ROOT, clone], { encoding: "utf8" });
    assert.equal(cloned.status, 0, cloned.stderr);
    const installed = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: clone, encoding: "utf8", timeout: 480_000 });
    assert.equal(installed.status, 0, `${installed.stdout}\n${installed.stderr}`);

    const env = { ...process.env };
    delete env.LAMINAR_HOOKS_CONFIG;
    const server = spawn("npm", ["start"], { cwd: clone, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    server.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    server.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    try {
      let health = 0;
      for (const started = Date.now(); health !== 200 && Date.now() - started < 30_000;) {
        health = await fetch("http://127.0.0.1:9090/healthz").then((response) => response.status, () => 0);
        if (health !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(health, 200, `the service did not answer within 30 s:\n${output}`);
      const ready = await fetch("http://127.0.0.1:9090/readyz");
      assert.equal(ready.status, 200);
      const unsigned = await fetch("http://127.0.0.1:9090/hooks", {
        method: "POST", body: "{}", headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "x" },
      });
      assert.equal(unsigned.status, 401);
    } finally {
      // npm start → sh → node: signal the whole group, as a terminal's Ctrl-C would.
      process.kill(-server.pid!, "SIGTERM");
      await once(server, "exit");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
