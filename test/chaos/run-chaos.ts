// One chaos run from a seed: the real service (`bin/laminar-hooks.js serve`), the fake laminarc
// reaching a fake laminard with two executors whose runs take a while, and the fake GitHub status
// API; the plan's pushes sent (and redelivered) and its faults injected at their moments; then,
// once the faults stop and everything has settled, the invariants checked over the whole history.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { fakeProcesses } from "../fault/fault-kit.ts";
import { createFakeLaminar, FAKE_LAMINARC } from "../fixtures/fake-laminar-dir.ts";
import { startFakeGitHubApi } from "../fixtures/fake-github-api.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";
import { createRandom } from "../fuzz/prng.ts";
import { ChaosHistory } from "./chaos-history.ts";
import { defaultFaults, planChaos, type ChaosPlan, type FaultCounts } from "./chaos-plan.ts";
import { checkInvariants, type Violation } from "./check-invariants.ts";
import { injectFault } from "./fault-injectors.ts";
import { deliverUntilAnswered } from "./forge-sender.ts";
import { CHAOS_REPO, CHAOS_SECRET } from "./push-delivery.ts";
import { assertBuildIsFresh, commandOf, freePort, ServiceProcess } from "./service-process.ts";

const TOKEN = "ghp_chaos-status-token-7c1d";
const BASE_URL = "https://ci.example.com";
const CONTEXT = (job: string) => `laminar/${job}`;
/**
 * Past it a held call (hang-laminarc) is killed. Not shorter: the fake laminarc is a Node process
 * niced below the service, and on a loaded 2-core machine it took over 3 s just to start, so every
 * call timed out and nothing settled; a correct service copes with timeouts, but must get work done.
 */
const LAMINARC_TIMEOUT = "8s";

export interface ChaosOptions {
  seed: number;
  pushes: number;
  durationMs?: number;
  faults?: FaultCounts;
  /** How long everything may take to settle once the pushes are sent (default 60 s + 2 s a push: GitHub's statuses go one a second). */
  settleMs?: number;
  /** Progress lines (the script prints them; the test stays quiet). */
  progress?: (line: string) => void;
}

export interface ChaosReport {
  plan: ChaosPlan;
  faults: FaultCounts;
  /** What each fault did, in order. */
  injected: string[];
  violations: Violation[];
  /** Pushes with no violation of their own. */
  builtOnce: number;
  /** False when the deadline came before the system was idle (the check ran anyway). */
  settled: boolean;
  elapsedMs: number;
  /** Everything a reader needs: seed, replay command, the broken invariants with their pushes' histories. */
  text: string;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  assertBuildIsFresh();
  const progress = options.progress ?? (() => {});
  const faults = options.faults ?? defaultFaults(options.pushes);
  const plan = planChaos({ seed: options.seed, pushes: options.pushes, faults, ...(options.durationMs === undefined ? {} : { durationMs: options.durationMs }) });
  const dir = mkdtempSync(join(tmpdir(), "lh-chaos-"));
  const fake = createFakeLaminar();
  // Run lengths come from the seed too (which run gets which length depends on timing).
  const lengths = createRandom(options.seed ^ 0x5eed);
  const laminard = await FakeLaminard.start({ keepAliveMs: 1000, executors: 2, runMs: () => lengths.between(200, 1500) });
  const github = await startFakeGitHubApi({ token: TOKEN });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const configFile = join(dir, "config.yml");
  const journalPath = join(dir, "journal.db");
  // Each laminard restart may lose or abort a push's run once: the budget must cover them all.
  const requeueLost = Math.max(3, (faults["restart-laminard"] ?? 0) + 1);
  writeFileSync(configFile, chaosConfig({ port, journalPath, laminardUrl: laminard.url, apiUrl: github.url, requeueLost }));
  const service = new ServiceProcess(configFile, { ...fake.env, FAKE_LAMINARD: laminard.controlUrl, GITHUB_TOKEN: TOKEN });
  const startedAt = Date.now();
  const history = new ChaosHistory(startedAt);
  let settled = false;
  let stopped = "never stopped";
  /** When the forge stops redelivering: the end of the settle window, or now when the run fails. */
  const giveUp = { at: Number.POSITIVE_INFINITY };
  let leftovers: { pid: number; command: string }[] = [];
  const acknowledged = new Set<number>();
  try {
    await service.start();
    await laminard.waitForStreams(1);
    const t0 = Date.now();
    progress(`seed ${plan.seed}: ${plan.pushes.length} pushes over ${plan.durationMs} ms, ${plan.faults.length} faults`);
    giveUp.at = t0 + plan.durationMs + (options.settleMs ?? 60_000 + 2000 * plan.pushes.length);
    const sending = plan.pushes.flatMap((push) =>
      push.deliveries.map(async (delivery) => {
        await until(t0 + delivery.at);
        if (await deliverUntilAnswered(url, push, delivery, history, giveUp)) acknowledged.add(push.index);
      }),
    );
    const world = { service, laminard, github, history };
    let previous: { at: number; doneAt: number } | undefined;
    for (const fault of plan.faults) {
      // At its moment, and never closer to the previous fault than planned: a restart that takes
      // longer than its planned downtime (a busy machine) must not bunch the faults after it.
      await until(Math.max(t0 + fault.at, previous === undefined ? 0 : previous.doneAt + fault.at - previous.at));
      const seen = history.events.length;
      await injectFault(world, fault);
      previous = { at: fault.at, doneAt: Date.now() };
      for (const event of history.events.slice(seen)) if (event.source === "fault") progress(event.text);
    }
    await Promise.all(sending);
    history.record("fault", "faults stop (what they set off still plays out); waiting for everything to settle");
    progress("faults stop; settling");
    settled = await settle(() => idle(journalPath, laminard), giveUp.at);
    history.record("fault", settled ? "settled" : "did not settle before the deadline: checking as it is");
    stopped = await service.stop(15_000);
    history.record("fault", `SIGTERM to the service: ${stopped}`);
    // What the service started must be gone with it; a process being reaped may take a moment.
    await settle(() => fakeProcesses(fake.dir).length === 0, Date.now() + 3000);
    leftovers = fakeProcesses(fake.dir).map((pid) => ({ pid, command: commandOf(pid) }));
  } finally {
    giveUp.at = 0;
    await service.kill();
    // Leftovers are ours (they carry this run's FAKE_LAMINAR_DIR): not left running after the report.
    for (const pid of fakeProcesses(fake.dir)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone meanwhile.
      }
    }
    await laminard.close();
    await github.close();
    fake.remove();
  }

  const violations = checkInvariants({
    pushes: plan.pushes.map((push) => ({ index: push.index, sha: push.sha, jobs: push.jobs, acknowledged: acknowledged.has(push.index) })),
    runs: laminard.runs.map((run) => ({ name: run.name, number: run.number, rev: run.params.find((param) => param.startsWith("rev="))?.slice(4), result: run.result })),
    statuses: github.statuses.map((status) => ({ sha: status.sha, context: status.context, state: status.state, targetUrl: status.target_url })),
    leftovers,
    stopped,
    apiProblems: github.problems,
    context: CONTEXT,
    runUrl: (job, number) => `${BASE_URL}/jobs/${job}/${number}`,
  });
  history.addLaminard(laminard.events, plan.pushes);
  history.addStatusRequests(github.requests, plan.pushes);
  history.addServiceLog(service.logs, plan.pushes);
  const broken = new Set(violations.flatMap((violation) => (violation.push === undefined ? [] : [violation.push])));
  const report: ChaosReport = {
    plan,
    faults,
    injected: history.events.filter((event) => event.source === "fault").map((event) => event.text),
    violations,
    builtOnce: plan.pushes.length - broken.size,
    settled,
    elapsedMs: Date.now() - startedAt,
    text: "",
  };
  report.text = describe(report, history, journalPath);
  if (violations.length === 0) rmSync(dir, { recursive: true, force: true });
  return report;
}

/** The command that replays this plan. */
export function replayCommand(plan: ChaosPlan, faults: FaultCounts): string {
  const counts = Object.entries(faults).map(([kind, count]) => `${kind}=${count}`).join(",");
  return `node --import tsx scripts/chaos.ts --seed ${plan.seed} --pushes ${plan.pushes.length} --duration ${plan.durationMs} --faults ${counts}`;
}

function describe(report: ChaosReport, history: ChaosHistory, journalPath: string): string {
  const { plan } = report;
  const lines = [
    `chaos seed ${plan.seed}: ${report.builtOnce} of ${plan.pushes.length} pushes kept the promise, ${report.violations.length} violation(s)${report.settled ? "" : " (did not settle before the deadline)"}, ${report.elapsedMs} ms`,
    `replay: ${replayCommand(plan, report.faults)}`,
    "(the seed fixes the plan: pushes, faults and their moments; the real processes' timing varies from run to run)",
    "faults injected:",
    ...report.injected.map((text) => `  ${text}`),
  ];
  const general = report.violations.filter((violation) => violation.push === undefined);
  for (const violation of general) lines.push(`${violation.invariant}: ${violation.message}`);
  for (const push of plan.pushes) {
    const own = report.violations.filter((violation) => violation.push === push.index);
    if (own.length === 0) continue;
    lines.push("", `push ${push.index} (${push.branch} ${push.before.slice(0, 7)} → ${push.sha}, jobs ${push.jobs.join(", ")}; deliveries ${push.deliveries.map((delivery) => delivery.id).join(", ")}):`);
    for (const violation of own) lines.push(`  ${violation.invariant}: ${violation.message}`);
    lines.push("  history:", history.format(history.ofPush(push.index)));
  }
  if (report.violations.length > 0) lines.push("", `journal kept at ${journalPath}`);
  return lines.join("\n");
}

function chaosConfig(options: { port: number; journalPath: string; laminardUrl: string; apiUrl: string; requeueLost: number }): string {
  return `server: { listen: "127.0.0.1:${options.port}" }
laminar:
  laminarc: ${JSON.stringify(FAKE_LAMINARC)}
  host: unix-abstract:chaos
  http: ${options.laminardUrl}
  base_url: ${BASE_URL}
  concurrency: 2
  timeout: ${LAMINARC_TIMEOUT}
  retry: { attempts: 100, delay: 100ms, max_delay: 1s }
  requeue_lost: ${options.requeueLost}
journal: { path: ${JSON.stringify(options.journalPath)} }
log: { level: info }
catch_up: { interval: 0s }
status: { context: "laminar/{{ job }}" }
forges:
  github: { secret: ${CHAOS_SECRET}, token: { env: GITHUB_TOKEN }, api: ${JSON.stringify(options.apiUrl)} }
repositories:
  - repo: ${CHAOS_REPO}
    jobs:
      - { job: build, events: [push] }
      - { job: docs, events: [push], branches: [master] }
`;
}

/**
 * Idle: laminard holds no run, and the journal has nothing left to do (no dispatch pending or in
 * flight, no run followed, no status post waiting).
 */
function idle(journalPath: string, laminard: FakeLaminard): boolean {
  if (laminard.busy > 0) return false;
  let database: Database.Database | undefined;
  try {
    database = new Database(journalPath, { readonly: true, fileMustExist: true });
    const count = (sql: string) => (database!.prepare(sql).get() as { n: number }).n;
    return (
      count("SELECT count(*) AS n FROM dispatches WHERE status IN ('pending', 'running')") === 0 &&
      count("SELECT count(*) AS n FROM runs WHERE state IN ('queued', 'running')") === 0 &&
      count("SELECT count(*) AS n FROM status_posts WHERE status IN ('pending', 'sending')") === 0
    );
  } catch {
    // Busy or being written: not known to be idle yet.
    return false;
  } finally {
    database?.close();
  }
}

/** Polls `condition` until it holds twice in a row, half a second apart, or `deadline` passes. */
async function settle(condition: () => boolean, deadline: number): Promise<boolean> {
  let held = 0;
  while (Date.now() < deadline) {
    held = condition() ? held + 1 : 0;
    if (held >= 2) return true;
    await new Promise((resolve) => setTimeout(resolve, held > 0 ? 500 : 100));
  }
  return false;
}

function until(time: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, time - Date.now())));
}
