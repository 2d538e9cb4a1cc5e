// The dispatcher through its real boundaries: a SQLite journal in a temp dir, and the fake laminarc
// (test/fixtures/fake-laminarc.js) as a real child process, started the way the service starts it
// (LaminarcHelper, with the helper production picks).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { getPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Dispatcher, type AttemptEvent, type DispatcherOptions } from "../../src/dispatch/dispatcher.ts";
import { JournalUnavailableError } from "../../src/errors.ts";
import type { AttemptToRecord } from "../../src/journal/dispatch-queue.ts";
import type { Journal } from "../../src/journal/journal.ts";
import type { DeliveryInput } from "../../src/journal/journal-types.ts";
import { openJournal } from "../../src/journal/open-journal.ts";
import { LaminarcHelper } from "../../src/laminar/laminarc-helper.ts";
import type { JobRequest, LaminarConfig } from "../../src/types.ts";
import { createFakeLaminar, FAKE_LAMINARC, processExists, waitFor, type FakeLaminar } from "../fixtures/fake-laminar-dir.ts";

type Context = { after: (fn: () => void | Promise<void>) => void };

/**
 * The most a wait may take: laminarc runs niced below the service, and on a machine busy with
 * other work the fake (a Node process) can take seconds to start. A bound, never a sleep.
 */
const PATIENCE = 30_000;

interface Setup {
  journal: Journal;
  path: string;
  fake: FakeLaminar;
  config: LaminarConfig;
  events: AttemptEvent[];
  dispatcher: (options?: Partial<DispatcherOptions>) => Dispatcher;
}

function setup(t: Context, options: { mode?: string; jobs?: readonly string[]; config?: Partial<LaminarConfig> } = {}): Setup {
  const dir = mkdtempSync(join(tmpdir(), "dispatcher-test-"));
  const path = join(dir, "journal.db");
  const journal = openJournal(path);
  const fake = createFakeLaminar(options);
  const config: LaminarConfig = {
    laminarc: FAKE_LAMINARC,
    host: "unix-abstract:laminar-test",
    concurrency: 4,
    timeoutMs: 5000,
    retry: { attempts: 5, delayMs: 20, maxDelayMs: 200 },
    requeueLost: 2,
    ...options.config,
  };
  const events: AttemptEvent[] = [];
  const dispatchers: Dispatcher[] = [];
  const laminarc = new LaminarcHelper();
  t.after(async () => {
    await Promise.all(dispatchers.map((d) => d.stop({ graceMs: 0 })));
    await laminarc.close();
    await journal.close();
    fake.remove();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    journal,
    path,
    fake,
    config,
    events,
    dispatcher: (overrides = {}) => {
      const dispatcher = new Dispatcher({
        journal,
        getLaminarConfig: () => config,
        // As src/start-service.ts wires it, with the test's fake named in laminarc's environment.
        run: (request, runOptions) => laminarc.run(request, { ...runOptions, env: fake.env }),
        onAttempt: (event) => events.push(event),
        ...overrides,
      });
      dispatchers.push(dispatcher);
      return dispatcher;
    },
  };
}

let deliveries = 0;
function delivery(jobs: JobRequest[]): DeliveryInput {
  deliveries += 1;
  return {
    forge: "github",
    deliveryId: `delivery-${deliveries}`,
    receivedAt: Date.now(),
    forgeEvent: "push",
    kind: "push",
    headers: {},
    payload: "{}",
    trace: [],
    jobs,
  };
}

function job(name: string, params: Record<string, string> = {}): JobRequest {
  return { job: name, params, host: "unix-abstract:journaled-host", reason: `push to sbrl/wiki (${name})` };
}

function dispatchesOf(journal: Journal, id: number) {
  return journal.getDelivery(id)?.dispatches ?? [];
}

function settled(journal: Journal, id: number) {
  const dispatches = dispatchesOf(journal, id);
  return dispatches.length > 0 && dispatches.every((d) => d.status === "done" || d.status === "failed") && dispatches;
}

test("queues every job with its exact arguments and environment, and records the run", async (t) => {
  const s = setup(t);
  const params = { rev: "3f2c1a9", title: "it's \"done\"\n$HOME `id` ; ü 🚀", empty: "" };
  const { id } = await s.journal.commitDelivery(delivery([job("wiki", params), job("docs")]));
  const dispatcher = s.dispatcher();
  dispatcher.start();

  const dispatches = await waitFor(() => settled(s.journal, id), PATIENCE, "both jobs to be queued");
  assert.deepEqual(
    dispatches.map((d) => [d.job, d.status, d.run, d.attempts]),
    [
      ["wiki", "done", "wiki:1", 1],
      ["docs", "done", "docs:1", 1],
    ],
  );
  const calls = s.fake.calls().sort((a, b) => a.argv[1]!.localeCompare(b.argv[1]!));
  assert.deepEqual(calls.map((c) => c.argv), [["queue", "docs"], ["queue", "wiki", "rev=3f2c1a9", `title=${params.title}`, "empty="]]);
  for (const call of calls) {
    // Host and reason are the journaled job's (routing may give a job its own host); the reason
    // also names the dispatch and the attempt, so that laminard can be asked about it.
    const dispatch = dispatches.find((d) => d.job === call.argv[1]);
    assert.deepEqual(call.env, {
      LAMINAR_HOST: "unix-abstract:journaled-host",
      LAMINAR_REASON: `push to sbrl/wiki (${call.argv[1]}) [dispatch ${dispatch?.id}, try 1]`,
      JOB: false,
      RUN: false,
      __LAMINAR_SETENV_PIPE: false,
    });
    assert.ok(call.nice > getPriority(), `laminarc ran at nice ${call.nice}, not below the dispatcher's ${getPriority()}`);
  }
  assert.equal(s.events.length, 2);
  assert.equal(s.journal.getDelivery(id)?.status, "done");
});

test("never runs more laminarc processes than `concurrency`", async (t) => {
  const s = setup(t, { mode: "slow:250", config: { concurrency: 3 } });
  const { id } = await s.journal.commitDelivery(delivery(Array.from({ length: 10 }, (_, i) => job(`job${i % 2}`, { n: String(i) }))));
  const dispatcher = s.dispatcher();
  let maxInFlight = 0;
  const sampler = setInterval(() => (maxInFlight = Math.max(maxInFlight, dispatcher.inFlight)), 2);
  t.after(() => clearInterval(sampler));
  dispatcher.start();

  const dispatches = await waitFor(() => settled(s.journal, id), PATIENCE, "ten jobs to be queued");
  clearInterval(sampler);
  assert.ok(dispatches.every((d) => d.status === "done"));
  assert.equal(new Set(dispatches.map((d) => d.run)).size, 10);

  // Overlap of the fake's own lifetimes (a lower bound of the real processes' overlap).
  const calls = s.fake.calls();
  assert.equal(calls.length, 10);
  const edges = calls.flatMap((c) => [
    [c.startedAt, 1],
    [c.endedAt ?? Infinity, -1],
  ]) as [number, number][];
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let overlap = 0;
  let maxOverlap = 0;
  for (const [, change] of edges) maxOverlap = Math.max(maxOverlap, (overlap += change));
  assert.ok(maxOverlap <= 3, `max overlap ${maxOverlap}`);
  assert.ok(maxOverlap >= 2, `the pool was used in parallel (max overlap ${maxOverlap})`);
  assert.ok(maxInFlight <= 3 && maxInFlight >= 2, `max in flight ${maxInFlight}`);
});

test("a hung laminarc is killed at the timeout and retried", async (t) => {
  // The timeout leaves the fake (a node process) time to start even on a loaded machine.
  const s = setup(t, { mode: "hang", config: { timeoutMs: 1000 } });
  const { id } = await s.journal.commitDelivery(delivery([job("wiki")]));
  // laminard comes back as soon as the first attempt has timed out, before the retry can start
  // (a fake starved of CPU may have been killed before it could record itself), and the retry
  // gets a timeout a starved fake can meet (the config is read at each attempt).
  s.dispatcher({ onAttempt: (event) => {
    s.events.push(event);
    if (!event.result.timedOut) return;
    s.fake.setMode("ok");
    s.config.timeoutMs = PATIENCE;
  } }).start();

  await waitFor(() => s.events.length >= 1, PATIENCE, "the first attempt to time out");
  for (const hung of s.fake.calls().filter((call) => call.outcome === "hang")) {
    assert.equal(processExists(hung.pid), false, "the hung laminarc is gone");
  }

  const [dispatch] = await waitFor(() => settled(s.journal, id), PATIENCE, "the retry");
  assert.equal(dispatch?.status, "done");
  const log = dispatch?.attemptLog ?? [];
  assert.deepEqual(log.map((a) => a.outcome), ["retry", "queued"]);
  assert.equal(log[0]?.signal, "SIGKILL");
  assert.equal(log[0]?.message, "laminarc did not answer within 1s; killed. laminard may be frozen or overloaded");
  assert.ok((log[0]?.durationMs ?? 0) >= 1000);
});

test("refused connections are retried with backoff, then succeed once laminard is back", async (t) => {
  const s = setup(t, { mode: "refused", config: { retry: { attempts: 10, delayMs: 60, maxDelayMs: 1000 } } });
  const { id } = await s.journal.commitDelivery(delivery([job("wiki")]));
  s.dispatcher({ random: () => 1 }).start();

  await waitFor(() => s.fake.calls().length >= 3, PATIENCE, "three refused calls");
  s.fake.setMode("ok");
  const [dispatch] = await waitFor(() => settled(s.journal, id), PATIENCE, "the job to be queued");
  assert.equal(dispatch?.status, "done");
  assert.match(dispatch?.run ?? "", /^wiki:\d+$/);

  const outcomes = dispatch?.attemptLog.map((a) => a.outcome) ?? [];
  assert.ok(outcomes.length >= 4);
  assert.deepEqual(outcomes.slice(0, 3), ["retry", "retry", "retry"]);
  assert.equal(outcomes.at(-1), "queued");
  assert.match(dispatch?.attemptLog[0]?.message ?? "", /laminard is not running.*Connection refused/);
  // Backoff (random = 1: the full delay): 60, 120, 240 ms after attempts 1, 2, 3.
  const calls = s.fake.calls();
  for (const [index, delay] of [60, 120, 240].entries()) {
    const gap = calls[index + 1]!.startedAt - calls[index]!.endedAt!;
    assert.ok(gap >= delay - 5, `gap after attempt ${index + 1}: ${gap} ms, expected ≥ ${delay}`);
  }
  assert.deepEqual(
    s.events.slice(0, 3).map((e) => e.next.status),
    ["pending", "pending", "pending"],
  );
});

test("an unknown job fails permanently and is not retried", async (t) => {
  const s = setup(t, { jobs: ["wiki"] });
  const { id } = await s.journal.commitDelivery(delivery([job("wiki"), job("nosuchjob")]));
  s.dispatcher().start();

  const dispatches = await waitFor(() => settled(s.journal, id), PATIENCE, "both jobs to settle");
  assert.deepEqual(
    dispatches.map((d) => [d.job, d.status, d.attempts]),
    [
      ["wiki", "done", 1],
      ["nosuchjob", "failed", 1],
    ],
  );
  assert.match(dispatches[1]?.lastError ?? "", /Laminar does not know job "nosuchjob".*Failed to queue job 'nosuchjob'/);
  // Not retried: nothing is left for any later attempt to pick up.
  assert.equal(s.journal.pendingCount(), 0);
  assert.equal(s.journal.nextDueTime(), null);
  assert.equal(s.fake.calls().length, 2);
  assert.equal(s.journal.getDelivery(id)?.status, "failed");
});

test("gives up after `retry.attempts` attempts", async (t) => {
  const s = setup(t, { mode: "refused", config: { retry: { attempts: 3, delayMs: 10, maxDelayMs: 20 } } });
  const { id } = await s.journal.commitDelivery(delivery([job("wiki")]));
  s.dispatcher().start();

  const [dispatch] = await waitFor(() => settled(s.journal, id), PATIENCE, "the dispatch to fail");
  assert.equal(dispatch?.status, "failed");
  assert.equal(dispatch?.attempts, 3);
  assert.match(dispatch?.lastError ?? "", /^gave up after 3 attempts: laminard is not running/);
  assert.equal(s.fake.calls().length, 3);
});

test("after a crash, a dispatch left running is resumed by a new dispatcher on the same file", async (t) => {
  const s = setup(t);
  const { id } = await s.journal.commitDelivery(delivery([job("wiki")]));
  // A dispatcher claimed it, then the process died before recording anything.
  assert.equal(s.journal.claimDue(Date.now(), 5).length, 1);
  await s.journal.close();

  const reopened = openJournal(s.path);
  t.after(() => reopened.close());
  assert.equal(reopened.pendingCount(), 0);
  s.dispatcher({ journal: reopened }).start();

  const [dispatch] = await waitFor(() => settled(reopened, id), PATIENCE, "the resumed dispatch");
  assert.equal(dispatch?.status, "done");
  assert.equal(dispatch?.run, "wiki:1");
  assert.equal(dispatch?.attempts, 2, "the attempt in flight at the crash stays counted");
  assert.equal(s.fake.calls().length, 1);
});

test("stop() kills a hanging laminarc after the grace period and leaves its dispatch pending", async (t) => {
  const s = setup(t, { mode: "hang", config: { timeoutMs: 60_000 } });
  const { id } = await s.journal.commitDelivery(delivery([job("wiki")]));
  const dispatcher = s.dispatcher();
  dispatcher.start();
  const call = await waitFor(() => s.fake.calls()[0], PATIENCE, "laminarc to start");
  assert.equal(dispatcher.inFlight, 1);
  assert.equal(processExists(call.pid), true);

  const started = Date.now();
  await dispatcher.stop({ graceMs: 200 });
  assert.ok(Date.now() - started >= 190, "waited for the grace period");
  assert.equal(processExists(call.pid), false, "no laminarc outlives stop()");
  assert.equal(dispatcher.inFlight, 0);

  const [dispatch] = dispatchesOf(s.journal, id);
  assert.equal(dispatch?.status, "pending");
  assert.equal(dispatch?.attempts, 0, "a canceled attempt is not counted");
  assert.deepEqual(dispatch?.attemptLog.map((a) => a.outcome), ["canceled"]);
  assert.equal(s.journal.pendingCount(), 1);
  assert.equal(s.journal.nextDueTime() !== null && s.journal.nextDueTime()! <= Date.now(), true);
  dispatcher.kick();
  // kick() claims on the next turn (setImmediate): once that turn has passed, a claim would show.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(dispatchesOf(s.journal, id).map((d) => [d.status, d.attempts]), [["pending", 0]], "a stopped dispatcher claims nothing");
  assert.equal(s.fake.calls().length, 1, "a stopped dispatcher starts nothing");
});

test("stop() lets attempts in flight finish within the grace period", async (t) => {
  const s = setup(t, { mode: "slow:300" });
  const { id } = await s.journal.commitDelivery(delivery([job("wiki")]));
  const dispatcher = s.dispatcher();
  dispatcher.start();
  await waitFor(() => dispatcher.inFlight === 1, PATIENCE, "the attempt to start");
  await dispatcher.stop({ graceMs: 10_000 });
  assert.equal(dispatchesOf(s.journal, id)[0]?.status, "done");
});

test("kick() starts a new delivery at once, without waiting for the poll", async (t) => {
  const s = setup(t);
  const dispatcher = s.dispatcher({ pollIntervalMs: 60_000 });
  // start() looks once, at once, finds nothing, and would look again only after the minute's poll.
  dispatcher.start();
  const { id } = await s.journal.commitDelivery(delivery([job("wiki")]));
  dispatcher.kick();
  const [dispatch] = await waitFor(() => settled(s.journal, id), PATIENCE, "the kicked dispatch");
  assert.equal(dispatch?.status, "done");
});

test("a reloaded config applies from the next attempt: fixing laminar.laminarc rescues pending jobs", async (t) => {
  const s = setup(t, { config: { laminarc: "/nonexistent/laminarc" } });
  const { id } = await s.journal.commitDelivery(delivery([job("wiki")]));
  s.dispatcher().start();
  await waitFor(() => s.events.length >= 1, PATIENCE, "the first attempt");
  assert.match(s.events[0]?.result.outcome.kind === "retry" ? s.events[0].result.outcome.message : "", /"\/nonexistent\/laminarc" was not found/);
  s.config.laminarc = FAKE_LAMINARC;
  const [dispatch] = await waitFor(() => settled(s.journal, id), PATIENCE, "the job to be queued");
  assert.equal(dispatch?.status, "done");
  assert.equal(s.fake.calls().length, 1);
});

test("laminar.host is read at each attempt, a job's own host is kept: a reload fixing laminar.host rescues only the former", async (t) => {
  const s = setup(t, { mode: "nosocket", config: { host: "unix-abstract:wrong", retry: { attempts: 50, delayMs: 20, maxDelayMs: 100 } } });
  const { id } = await s.journal.commitDelivery(delivery([
    { ...job("default-host"), host: "" },
    { ...job("own-host"), host: "10.0.0.7:9997" },
  ]));
  s.dispatcher().start();
  const callsOf = (name: string) => s.fake.calls().filter((call) => call.argv[1] === name);
  await waitFor(() => s.events.length >= 2, PATIENCE, "the first attempt of each");
  s.config.host = "unix-abstract:fixed";
  // laminard comes back only once an attempt has used the reloaded host (one attempt per dispatch at a time).
  await waitFor(() => callsOf("default-host").some((call) => call.env.LAMINAR_HOST === "unix-abstract:fixed"), PATIENCE, "a retry with the new host");
  s.fake.setMode("ok");
  const dispatches = await waitFor(() => settled(s.journal, id), PATIENCE, "both jobs to be queued");
  assert.deepEqual(dispatches.map((d) => d.status), ["done", "done"]);
  assert.equal(callsOf("default-host")[0]?.env.LAMINAR_HOST, "unix-abstract:wrong");
  assert.deepEqual(callsOf("default-host").filter((call) => call.exitCode === 0).map((call) => call.env.LAMINAR_HOST), ["unix-abstract:fixed"]);
  assert.deepEqual(new Set(callsOf("own-host").map((call) => call.env.LAMINAR_HOST)), new Set(["10.0.0.7:9997"]), "never laminar.host");
});

test("an attempt the journal cannot record is kept and written later, never run twice", async (t) => {
  const s = setup(t);
  const { id } = await s.journal.commitDelivery(delivery([job("wiki")]));
  let failures = 1;
  const journal = {
    claimDue: s.journal.claimDue.bind(s.journal),
    releaseRunning: s.journal.releaseRunning.bind(s.journal),
    nextDueTime: s.journal.nextDueTime.bind(s.journal),
    recordAttempts: (items: readonly AttemptToRecord[]) => {
      if (failures-- > 0) throw new JournalUnavailableError(new Error("SQLITE_FULL: database or disk is full"));
      return s.journal.recordAttempts(items);
    },
  };
  const logged: string[] = [];
  const logger = { info: () => {}, warn: () => {}, error: (_: object, message: string) => logged.push(message) };
  s.dispatcher({ journal, logger }).start();

  const [dispatch] = await waitFor(() => settled(s.journal, id), PATIENCE, "the attempt to be recorded");
  assert.equal(dispatch?.status, "done");
  assert.equal(dispatch?.run, "wiki:1");
  assert.equal(s.fake.calls().length, 1);
  assert.match(logged[0] ?? "", /cannot record a laminarc attempt/);
});

test("an attempt that can never be recorded blocks no other dispatch", async (t) => {
  const s = setup(t, { config: { concurrency: 1 } });
  const poisoned = await s.journal.commitDelivery(delivery([job("poisoned")]));
  const healthy = await s.journal.commitDelivery(delivery([job("healthy")]));
  const journal = {
    claimDue: s.journal.claimDue.bind(s.journal),
    releaseRunning: s.journal.releaseRunning.bind(s.journal),
    nextDueTime: s.journal.nextDueTime.bind(s.journal),
    // The poisoned attempt fails in its own savepoint, as a row the schema refuses would; the rest are kept.
    recordAttempts: (items: readonly AttemptToRecord[]) => {
      const isPoisoned = (item: AttemptToRecord) => item.dispatchId === poisoned.dispatchIds[0];
      const kept = s.journal.recordAttempts(items.filter((item) => !isPoisoned(item)));
      return items.map((item) => (isPoisoned(item) ? new JournalUnavailableError(new Error("FOREIGN KEY constraint failed")) : kept.shift()));
    },
  };
  s.dispatcher({ journal }).start();

  const [dispatch] = await waitFor(() => settled(s.journal, healthy.id), PATIENCE, "the healthy dispatch");
  assert.equal(dispatch?.status, "done");
  // The poisoned one ran once and stays marked running: never run twice.
  assert.equal(dispatchesOf(s.journal, poisoned.id)[0]?.status, "running");
  assert.equal(s.fake.calls().filter((c) => c.argv[1] === "poisoned").length, 1);
});
