// Which repository entry and which secret apply to a delivery: verificationFor and forgeWideSecret
// must agree, or the hook endpoint would check an early signature against the wrong secret.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/load-config.ts";
import { findRepository, forgeWideSecret, verificationFor } from "../../src/routing/index.ts";
import type { Config, ForgeName } from "../../src/types.ts";

function config(yaml: string): Config {
  const dir = mkdtempSync(join(tmpdir(), "lh-find-"));
  try {
    const file = join(dir, "config.yml");
    writeFileSync(file, yaml);
    return loadConfig(file, { env: {} });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const JOBS = "jobs: [{ job: build, events: [push] }]";

test("forgeWideSecret: the forge's secret only while no repository that may take its deliveries has its own", () => {
  const loaded = config(`
forges:
  github: { secret: hub }
  gitea: { secret: tea }
  gitlab: { insecure: true }
repositories:
  - { repo: "a/*", forge: gitea, secret: own, ${JOBS} }
  - { repo: b/one, forge: github, insecure: true, ${JOBS} }
  - { repo: c/one, ${JOBS} }
`);
  assert.equal(forgeWideSecret(loaded, "github")?.secret.equals("hub"), true);
  assert.equal(forgeWideSecret(loaded, "gitea"), undefined, "a/* has a secret of its own");
  assert.equal(forgeWideSecret(loaded, "gitlab"), undefined, "no secret at all");
  assert.equal(forgeWideSecret(loaded, "gogs"), undefined);

  const anyForge = config(`
forges:
  github: { secret: hub }
repositories:
  - { repo: d/one, secret: own, ${JOBS} }
`);
  assert.equal(forgeWideSecret(anyForge, "github"), undefined, "a repository without forge: takes GitHub's deliveries too");
});

test("forgeWideSecret agrees with verificationFor for every repository a delivery may name", () => {
  const loaded = config(`
forges:
  github: { secret: hub }
  gogs: { secret: gogs }
repositories:
  - { repo: b/one, forge: github, insecure: true, ${JOBS} }
  - { repo: "c/*", ${JOBS} }
  - { repo: e/one, forge: gitea, secret: own, ${JOBS} }
`);
  for (const forge of ["github", "gogs"] as ForgeName[]) {
    const early = forgeWideSecret(loaded, forge);
    assert.ok(early, forge);
    for (const name of ["b/one", "c/two", "nobody/else"]) {
      const verification = verificationFor(loaded, forge, findRepository(loaded, forge, name));
      assert.equal(verification.kind, "secret", `${forge} ${name}`);
      assert.equal(verification.kind === "secret" && verification.secret, early.secret, `${forge} ${name}: the same secret`);
      assert.deepEqual(verification.kind === "secret" && verification.secrets, early.secrets, `${forge} ${name}: the same list`);
    }
  }
});
