// Reloading the config of a running service: SIGHUP and a changed file both load it again; a
// broken one is refused with its file:line errors logged, and the old one stays in force.

import assert from "node:assert/strict";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { startChildService } from "../support/child-service.ts";
import { anotherPush, payload } from "../support/payloads.ts";
import { recordingLogger } from "../support/recording-logger.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders, post, startTestService } from "../support/test-service.ts";

const push5 = payload("github/push-5.json");
const signed = (id: string) => githubHeaders("push", id, githubSignature("topsecret", push5));
const BEFORE = `
forges:
  github: { secret: topsecret }
repositories:
  - repo: someone/else
    jobs: [{ job: other }]
`;
const AFTER = `${BEFORE}  - repo: Codertocat/Hello-World
    jobs: [{ job: hello, events: [push] }]
`;

test("a good config takes effect; a broken one is refused, logged with file:line, and the old one stays", async () => {
  const { logger, lines } = recordingLogger();
  const svc = await startTestService({ config: BEFORE, logger });
  try {
    assert.equal((await svc.post("/hooks", push5, signed("r-1"))).status, 404);
    svc.writeConfig(AFTER);
    assert.equal(svc.service.reload().ok, true);
    assert.equal((await svc.post("/hooks", push5, signed("r-2"))).status, 202);
    assert.ok(lines.some((line) => line.msg === "config reloaded"));

    svc.writeConfig(AFTER.replace("job: hello", `job: "bad job"`));
    const refused = svc.service.reload();
    assert.equal(refused.ok, false);
    const logged = lines.find((line) => line.msg === "config reload refused; the previous config stays in force");
    assert.ok(logged, "the refusal is logged");
    const problems = logged.problems as string[];
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, new RegExp(`^${svc.configFile}:\\d+:\\d+ `));
    // Another push: the same one again would be a duplicate of r-2.
    const other = anotherPush(push5, "r-3");
    const answer = await svc.post("/hooks", other, githubHeaders("push", "r-3", githubSignature("topsecret", other)));
    assert.equal(answer.status, 202, "the old config still routes");
  } finally {
    await svc.stop();
  }
});

test("replacing the config file by rename, as editors and git do, reloads it", async () => {
  const svc = await startTestService({ config: BEFORE });
  try {
    assert.equal((await svc.post("/hooks", push5, signed("w-1"))).status, 404);
    const temporary = join(svc.dir, ".config.yml.swp");
    writeFileSync(temporary, svc.configText(AFTER));
    renameSync(temporary, svc.configFile);
    await waitFor(() => svc.service.config().repositories.length === 2, 5_000, "the watcher to reload");
    assert.equal((await svc.post("/hooks", push5, signed("w-2"))).status, 202);

    // And again: a watch on the file itself would have lost track after the first rename.
    writeFileSync(temporary, svc.configText(BEFORE));
    renameSync(temporary, svc.configFile);
    await waitFor(() => svc.service.config().repositories.length === 1, 5_000, "the second reload");
    assert.equal((await svc.post("/hooks", push5, signed("w-3"))).status, 404);
  } finally {
    await svc.stop();
  }
});

test("SIGHUP reloads the config of the serve process", async () => {
  const svc = await startTestService({ config: BEFORE });
  await svc.service.stop(100); // only its folder and config are wanted: run the real process on them
  const header = svc.configText("").replace("log: { level: silent }", "log: { level: info }");
  writeFileSync(svc.configFile, `${header}${BEFORE}`);
  const child = await startChildService(svc.configFile, svc.fake.env);
  try {
    assert.equal((await post(`${child.url}/hooks`, push5, signed("h-1"))).status, 404);
    // Written in place (no rename) and the watcher may see it too: either way it must take effect.
    writeFileSync(svc.configFile, `${header}${AFTER}`);
    child.child.kill("SIGHUP");
    await waitFor(() => child.logs.some((line) => line.msg === "config reloaded"), 5_000, "reload logged");
    assert.equal((await post(`${child.url}/hooks`, push5, signed("h-2"))).status, 202);
  } finally {
    child.child.kill("SIGTERM");
    await child.exited;
    svc.fake.remove();
  }
});
