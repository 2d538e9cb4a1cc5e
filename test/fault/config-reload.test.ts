// The config file replaced under load, as editors and `git checkout` do (a new file renamed over
// the old one): back and forth between two valid configs that route a push to different jobs, and
// once to a broken one. No request fails meanwhile, every answer follows one of the two configs,
// and the broken one is refused with its FILE:LINE:COL in the log while the old one stays.

import assert from "node:assert/strict";
import { test } from "node:test";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";
import { queuedByLaminard, startFaultService, streamDeliveries, type Sent } from "./fault-kit.ts";

const SETTINGS = "  concurrency: 4\n  timeout: 2s\n  retry: { attempts: 5, delay: 50ms, max_delay: 200ms }";

const routeTo = (job: string) => `
forges:
  github: { secret: topsecret }
repositories:
  - repo: Codertocat/Hello-World
    jobs:
      - job: ${job}
        events: [push]
        branches: [master]
`;
// A typo that must not silently widen the filter: refused, at the line of `branchs:`.
const BROKEN = routeTo("gamma").replace("branches: [master]", "branchs: [master]");

const jobOf = (sent: Sent) => (sent.body.jobs as { job: string }[] | undefined)?.map((job) => job.job).join(",");

test("config replaced under load: no request fails, answers follow one config or the other, a broken one is refused", async (t) => {
  // Runs followed on the fake laminard (each succeeds at once): a laminarc that queued and was killed
  // at the timeout on a busy machine is looked for there, not queued again (DESIGN.md guarantee 3).
  const laminard = await FakeLaminard.start({ keepAliveMs: 100, autoRun: "success" });
  t.after(() => laminard.close());
  const LAMINAR = `  http: ${laminard.url}\n${SETTINGS}`;
  const svc = await startFaultService({ laminar: LAMINAR, rest: routeTo("alpha"), env: { FAKE_LAMINARD: laminard.controlUrl } });
  const stream = streamDeliveries(() => svc.url, "reload", 2, 50);
  try {
    /** Replaces the config and waits until answers to deliveries sent after that follow it. */
    const switchTo = async (job: string) => {
      const at = Date.now();
      svc.replaceConfig(svc.configText(LAMINAR, routeTo(job)));
      await waitFor(() => stream.sent.some((sent) => sent.at > at && jobOf(sent) === job), 5_000, `answers routed to ${job}`);
    };
    await waitFor(() => stream.sent.length >= 10, 5_000, "traffic");
    await switchTo("beta");
    await switchTo("alpha");
    await switchTo("beta");

    const brokenAt = Date.now();
    const brokenText = svc.configText(LAMINAR, BROKEN);
    svc.replaceConfig(brokenText);
    const refused = await waitFor(() => svc.logs.find((line) => line.msg === "config reload refused; the previous config stays in force"), 5_000, "the broken config to be refused");
    const refusedAt = Date.now();
    // Deliveries sent once the broken file was refused: waited for, not counted over a window.
    const whileBroken = await waitFor(() => {
      const after = stream.sent.filter((sent) => sent.at > refusedAt);
      return after.length >= 5 && after;
    }, 10_000, "5 deliveries answered while the broken file is in place");
    const line = brokenText.split("\n").findIndex((text) => text.includes("branchs:")) + 1;
    const problems = refused.problems as string[];
    assert.ok(problems.some((problem) => problem.startsWith(`${svc.configFile}:${line}:`) && /branchs/.test(problem)),
      `the log names ${svc.configFile}:${line}: ${JSON.stringify(problems)}`);
    assert.equal(svc.service.config().repositories[0]?.jobs[0]?.job, "beta", "the old config stays in force");
    for (const sent of whileBroken) assert.equal(jobOf(sent), "beta", `${sent.id} after the broken config`);
    assert.ok(stream.sent.filter((sent) => sent.at > brokenAt).every((sent) => jobOf(sent) !== "gamma"));

    await switchTo("alpha");
    const sent = await stream.stop();
    t.diagnostic(`${sent.length} deliveries across 5 config changes`);

    for (const answer of sent) {
      assert.equal(answer.status, 202, `${answer.id}: ${answer.error ?? String(answer.body.message)}`);
      assert.ok(jobOf(answer) === "alpha" || jobOf(answer) === "beta", `${answer.id} routed to ${jobOf(answer)}`);
    }
    // What reached laminard is what the answer said, once.
    await waitFor(() => sent.every((answer) => svc.service.journal.getDelivery(answer.id)?.status === "done"), 30_000, "every delivery done");
    const queued = queuedByLaminard(laminard);
    for (const answer of sent) {
      const entry = queued.get(answer.id);
      assert.equal(entry?.count, 1, `${answer.id} queued ${entry?.count ?? 0} times`);
      assert.match(entry.runs[0]!, new RegExp(`^${jobOf(answer)}:\\d+$`), `${answer.id} was answered ${jobOf(answer)}`);
    }
  } finally {
    await stream.stop();
    await svc.stop();
  }
});
