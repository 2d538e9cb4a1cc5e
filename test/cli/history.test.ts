// The history commands against a running service: `send` a signed sample, find it with
// `deliveries`, read it with `show`, and queue it again with `redeliver`.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { formatRunState } from "../../src/ui/format-run.ts";
import { readRuns } from "../../src/journal/runs.ts";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";
import { runCli } from "../support/run-cli.ts";
import { startTestService, type TestService } from "../support/test-service.ts";

const CONFIG = `
forges:
  github: { secret: gh-secret }
  gitea: { secret: gitea-secret }
repositories:
  - repo: acme/app
    jobs:
      - { job: app, events: [push], branches: [main] }
      - { job: app-release, events: [tag], tags: ["v*"] }
`;

let svc: TestService;
before(async () => {
  svc = await startTestService({ config: CONFIG });
});
after(() => svc.stop());

const cli = (...args: string[]) => runCli([...args, "--config", svc.configFile], svc.fake.env);

test("send signs a sample push with the config's secret; deliveries and show tell what happened", async () => {
  const sent = await cli("send", "--url", `${svc.url}/hooks`, "--forge", "github", "--repo", "acme/app", "--branch", "main");
  assert.equal(sent.code, 0, sent.stdout + sent.stderr);
  assert.match(sent.stdout, /^202 accepted: 1 job will be queued in Laminar \(app\)/);
  const deliveryId = /delivery ([0-9a-f-]{36})/.exec(sent.stdout)?.[1];
  assert.ok(deliveryId);
  await waitFor(() => svc.service.journal.getDelivery(deliveryId)?.status === "done", 5_000, "done");

  const listed = await cli("deliveries", "--limit", "5");
  assert.equal(listed.code, 0, listed.stderr);
  const [header, row] = listed.stdout.trim().split("\n");
  assert.match(header!, /^ID\s+TIME \(UTC\)\s+FORGE\s+EVENT\s+REPO\s+REF\s+STATUS\s+JOBS$/);
  assert.match(row!, /github\s+push\s+acme\/app\s+main\s+done\s+app:1$/);

  const json = JSON.parse((await cli("deliveries", "--json", "--status", "done")).stdout) as { deliveryId: string; jobs: { run: string }[] }[];
  assert.equal(json[0]?.deliveryId, deliveryId);
  assert.equal(json[0]?.jobs[0]?.run, "app:1");

  const shown = await cli("show", deliveryId);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /x-github-event: push/);
  assert.doesNotMatch(shown.stdout, /signature/i);
  assert.match(shown.stdout, /✓ app: branch "main" matches "main"/);
  assert.match(shown.stdout, /✗ app-release: event push is not in events \[tag\]/);
  assert.match(shown.stdout, /dispatch \d+: app done as app:1, 1 attempt\(s\)/);
  assert.match(shown.stdout, /attempt at .*: queued, exit 0, \d+ ms/);
  assert.match(shown.stdout, /stdout: app:1/);
});

test("a push that matched nothing says why; redeliver after fixing the config queues it in the running service", async () => {
  const sent = await cli("send", "--url", `${svc.url}/hooks/gitea`, "--forge", "gitea", "--repo", "acme/app", "--branch", "develop");
  assert.equal(sent.code, 0, sent.stdout + sent.stderr);
  assert.match(sent.stdout, /^200 no job of acme\/app matches this push of develop/);
  assert.match(sent.stdout, /✗ app: branch "develop" matches none of \[main\]/);
  const deliveryId = /delivery ([0-9a-f-]{36})/.exec(sent.stdout)![1]!;

  const ignored = await cli("deliveries", "--status", "ignored");
  assert.match(ignored.stdout, /gitea\s+push\s+acme\/app\s+develop\s+ignored/);
  const unchanged = await cli("redeliver", deliveryId);
  assert.equal(unchanged.code, 1);
  assert.match(unchanged.stdout, /no job matches with the current config/);

  svc.writeConfig(CONFIG.replace("branches: [main]", "branches: [main, develop]"));
  assert.equal(svc.service.reload().ok, true);
  const redelivered = await cli("redeliver", deliveryId);
  assert.equal(redelivered.code, 0, redelivered.stderr);
  assert.match(redelivered.stdout, /1 job\(s\) pending \(app\)/);
  // The service was not told: it finds the new dispatch in the journal by itself.
  const run = await waitFor(() => svc.service.journal.getDelivery(deliveryId)?.dispatches[0]?.run ?? undefined, 5_000, "run");
  assert.match(run, /^app:\d+$/);
});

test("send with a wrong secret is refused, and unknown ids are clear errors", async () => {
  const wrong = await runCli(["send", "--url", `${svc.url}/hooks`, "--forge", "github", "--repo", "acme/app", "--secret-env", "WRONG"],
    { ...process.env, WRONG: "not-the-secret" });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stdout, /^401 wrong signature/);
  const missing = await cli("show", "no-such-delivery");
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no delivery no-such-delivery in the journal/);
  const unreachable = await cli("send", "--url", "http://127.0.0.1:1/hooks", "--forge", "github", "--repo", "acme/app");
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /cannot reach http:\/\/127\.0\.0\.1:1\/hooks/);
});

test("send --config needs only the secret of the forge it signs for; one it cannot have is named", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "lh-send-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, "laminar-hooks.yml");
  const giteaSecretFile = join(dir, "gitea.secret");
  // The GitHub secret from the environment; Gitea's in a file this shell cannot read (here: none);
  // Gogs's and a status token in variables nobody set in this shell.
  writeFileSync(config, CONFIG
    .replace("github: { secret: gh-secret }", "github: { secret: { env: SEND_GITHUB_SECRET }, token: { env: SEND_GITHUB_TOKEN } }")
    .replace("gitea: { secret: gitea-secret }", `gitea: { secret: { file: ${JSON.stringify(giteaSecretFile)} } }\n  gogs: { secret: { env: SEND_GOGS_SECRET } }`));
  const env = { ...svc.fake.env, SEND_GITHUB_SECRET: "gh-secret", SEND_GOGS_SECRET: "" };
  const send = (forge: string, path: string) =>
    runCli(["send", "--url", `${svc.url}${path}`, "--forge", forge, "--repo", "acme/app", "--config", config], env);

  const sent = await send("github", "/hooks");
  assert.equal(sent.code, 0, sent.stdout + sent.stderr);
  assert.match(sent.stdout, /^202 accepted/);
  const noFile = await send("gitea", "/hooks/gitea");
  assert.equal(noFile.code, 1);
  assert.equal(noFile.stdout, "", "nothing is sent without its secret");
  assert.equal(noFile.stderr.trim(), `forges.gitea.secret: cannot read secret file ${giteaSecretFile} (ENOENT): it holds the gitea secret for acme/app (or use --secret-env)`);
  const noVariable = await send("gogs", "/hooks/gogs");
  assert.equal(noVariable.code, 1);
  assert.equal(noVariable.stdout, "");
  assert.equal(noVariable.stderr.trim(), "forges.gogs.secret: environment variable SEND_GOGS_SECRET is not set or empty: it holds the gogs secret for acme/app (or use --secret-env)");
});

test("redeliver --failed tries only the failed jobs again, once the job exists", async () => {
  const own = await startTestService({
    config: `
forges:
  github: { secret: gh-secret }
repositories:
  - repo: acme/app
    jobs:
      - { job: app, events: [push] }
      - { job: app-docs, events: [push] }
`,
  });
  try {
    own.fake.setJobs(["app"]); // app-docs.run does not exist on the Laminar server yet
    const run = (...args: string[]) => runCli([...args, "--config", own.configFile], own.fake.env);
    const sent = await run("send", "--url", `${own.url}/hooks`, "--forge", "github", "--repo", "acme/app");
    assert.equal(sent.code, 0, sent.stdout + sent.stderr);
    const deliveryId = /delivery ([0-9a-f-]{36})/.exec(sent.stdout)![1]!;
    await waitFor(() => own.service.journal.getDelivery(deliveryId)?.status === "failed", 5_000, "app-docs to fail");
    const shown = await run("show", deliveryId);
    assert.match(shown.stdout, /app-docs failed, 1 attempt\(s\)/);
    assert.match(shown.stdout, /stderr: Failed to queue job 'app-docs'/);

    const none = await run("redeliver");
    assert.equal(none.code, 1);
    assert.match(none.stderr, /needs a delivery ID, or --failed/);

    own.fake.setJobs(["app", "app-docs"]);
    const retried = await run("redeliver", "--failed", deliveryId);
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, /^1 failed job\(s\) of delivery \d+ pending again/);
    await waitFor(() => own.service.journal.getDelivery(deliveryId)?.status === "done", 5_000, "both done");
    const queued = own.fake.calls().filter((call) => call.exitCode === 0).map((call) => call.argv[1]);
    assert.deepEqual(queued.sort(), ["app", "app-docs"], "app was not queued a second time");
    assert.equal((await run("redeliver", "--failed")).stdout, "no failed job in the journal\n");
  } finally {
    await own.stop();
  }
});

test("deliveries and show give each followed run's state, times and link: success, and lost → the run queued instead", async (t) => {
  const laminard = await FakeLaminard.start({ keepAliveMs: 100 });
  const followed = await startTestService({
    config: CONFIG,
    laminar: `  http: ${laminard.url}\n  base_url: https://ci.example.com/laminar\n`,
    env: { FAKE_LAMINARD: laminard.controlUrl },
    follow: { backoff: { delayMs: 40, maxDelayMs: 300 }, recheckMs: 100 },
  });
  t.after(async () => {
    await followed.stop();
    await laminard.close();
  });
  const run = (...args: string[]) => runCli([...args, "--config", followed.configFile], followed.fake.env);
  const sent = await run("send", "--url", `${followed.url}/hooks`, "--forge", "github", "--repo", "acme/app", "--branch", "main");
  const deliveryId = /delivery ([0-9a-f-]{36})/.exec(sent.stdout)![1]!;
  await waitFor(() => laminard.queued.length === 1, 5_000, "app:1 queued in laminard");
  await waitFor(() => followed.service.follower.connected, 5_000, "the stream");
  await waitFor(() => /app:1 queued/.test(followRow(followed)), 5_000, "app:1 recorded");

  await laminard.restart();
  await waitFor(() => laminard.queued.length === 1 && laminard.queued[0]?.number === 2, 10_000, "app:2 queued instead");
  await waitFor(() => /app:1 lost → app:2/.test(followRow(followed)), 5_000, "app:1 lost → app:2");
  laminard.startRun("app", 2);
  laminard.completeRun("app", 2, "success");
  await waitFor(() => followed.service.journal.getDelivery(deliveryId)?.status === "done", 5_000, "done");

  const listed = await run("deliveries");
  assert.match(listed.stdout, /done\s+app:1 lost → app:2, app:2 success$/m);
  const json = JSON.parse((await run("deliveries", "--json")).stdout) as { jobs: { runs: { number: number; state: string; requeuedAs: string | null }[] }[] }[];
  assert.deepEqual(json[0]?.jobs[0]?.runs.map((r) => [r.number, r.state, r.requeuedAs]), [[1, "lost", "app:2"], [2, "success", null]]);

  const shown = await run("show", deliveryId);
  assert.match(shown.stdout, /run app:1 lost → app:2: queued \S+ \S+, lost \S+ \S+ UTC https:\/\/ci\.example\.com\/laminar\/jobs\/app\/1\n\s+app:1 was lost in a laminard restart: laminard's queue no longer holds it; queued again \(1 of 2\)/);
  assert.match(shown.stdout, /run app:2 success: queued \S+ \S+, started \S+ \S+, completed \S+ \S+ UTC \([\d.]+m?s\) https:\/\/ci\.example\.com\/laminar\/jobs\/app\/2/);
  assert.match(shown.stdout, /LAMINAR_REASON=".* \(re-queued: app:1 was lost in a laminard restart, 1 of 2\)"/);
  const detail = JSON.parse((await run("show", deliveryId, "--json")).stdout) as { dispatches: { runs: { state: string }[] }[] };
  assert.deepEqual(detail.dispatches[0]?.runs.map((r) => r.state), ["lost", "success"]);
});

/** The JOBS cell of the newest delivery, read from the journal as `deliveries` does. */
function followRow(service: TestService): string {
  const journal = service.service.journal;
  const [item] = journal.listDeliveries({ limit: 1 });
  const runs = journal.runsOf(item?.jobs.map((job) => job.id) ?? []);
  return [...runs.values()].flat().map((r) => `${r.job}:${r.number} ${formatRunState(r)}`).join(", ");
}
