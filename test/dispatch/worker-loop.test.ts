// The loop the dispatcher and the status poster share, on its own: which comes first of recording
// and claiming, an outcome the journal refuses kept and written later (announced once), the
// recovery run once, and the grace a stop gives. The journal here is a list in memory: what is
// tested is the loop's order of calls, which dispatcher.test.ts and status-poster.test.ts then see
// through a real journal.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WorkerLoop, type WorkerLoopOptions } from "../../src/dispatch/worker-loop.ts";
import type { StageLogger } from "../../src/observe/stage-logger.ts";

interface Piece {
  id: number;
  /** Resolves the attempt (with "done N"). */
  finish: () => void;
}

interface Harness {
  loop: WorkerLoop<Piece, string>;
  /** Every claim and record call, in order. */
  calls: string[];
  announced: string[];
  errors: string[];
  /** Adds due work. */
  add: (...ids: number[]) => void;
  pieces: Map<number, Piece>;
  /** Resolves once `check` holds; checked after every call the loop makes. */
  until: (check: () => boolean) => Promise<void>;
}

function harness(options: Partial<WorkerLoopOptions<Piece, string>> & { refuseRecords?: number } = {}): Harness {
  const due: number[] = [];
  const calls: string[] = [];
  const announced: string[] = [];
  const errors: string[] = [];
  const pieces = new Map<number, Piece>();
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  const changed = () => {
    for (const waiter of waiters.splice(0)) {
      if (waiter.check()) waiter.resolve();
      else waiters.push(waiter);
    }
  };
  let refuse = options.refuseRecords ?? 0;
  const logger = {
    error: (_details: unknown, message: string) => {
      errors.push(message);
      changed();
    },
    warn() {},
    info() {},
  } as unknown as StageLogger;
  const loop = new WorkerLoop<Piece, string>({
    capacity: () => 1,
    claim: (_now, max) => {
      const claimed = due.splice(0, max);
      calls.push(`claim ${claimed.join(",")}`);
      changed();
      return claimed.map((id) => pieces.get(id)!);
    },
    nextDue: () => (due.length > 0 ? Date.now() : null),
    idOf: (piece) => piece.id,
    attempt: async (piece) => {
      await new Promise<void>((resolve) => (piece.finish = resolve));
      return `done ${piece.id}`;
    },
    record: (done) => {
      if (refuse > 0) {
        refuse -= 1;
        calls.push(`refused ${done.join(",")}`);
        changed();
        throw new Error("the journal is full");
      }
      calls.push(`record ${done.join(",")}`);
      changed();
      return done.map(() => undefined);
    },
    announce: (done) => {
      announced.push(done);
      changed();
    },
    recordFirst: false,
    now: Date.now,
    pollIntervalMs: 60_000,
    logger,
    words: { idField: "piece", claimed: "pieces", outcome: "a piece", leftAtStop: "they stay in flight" },
    ...options,
  });
  return {
    loop, calls, announced, errors, pieces,
    add: (...ids) => {
      for (const id of ids) {
        pieces.set(id, { id, finish: () => assert.fail(`piece ${id} was not started`) });
        due.push(id);
      }
    },
    // The loop's timer is unref'd (a service's server keeps it alive): the wait holds the process.
    until: (check) => new Promise((resolve) => {
      if (check()) return resolve();
      const alive = setInterval(() => {}, 1000);
      waiters.push({ check, resolve: () => {
        clearInterval(alive);
        resolve();
      } });
    }),
  };
}

/** Waits until the piece's attempt has started (its finish is the attempt's own), then ends it. */
async function finishWhenStarted(h: Harness, id: number): Promise<void> {
  await h.until(() => h.calls.some((call) => call.startsWith("claim") && call.slice(6).split(",").includes(String(id))));
  // The attempt sets finish in the same turn as its claim.
  h.pieces.get(id)!.finish();
}

test("without recordFirst a free slot is filled before the ended attempt is written; with it, after", { timeout: 30_000 }, async (t) => {
  for (const recordFirst of [false, true]) {
    const h = harness({ recordFirst });
    t.after(() => h.loop.stop());
    h.add(1, 2);
    h.loop.start(() => {});
    await finishWhenStarted(h, 1);
    await h.until(() => h.calls.includes("record done 1") && h.calls.includes("claim 2"));
    const order = h.calls.filter((call) => call === "record done 1" || call === "claim 2");
    assert.deepEqual(order, recordFirst ? ["record done 1", "claim 2"] : ["claim 2", "record done 1"], `recordFirst: ${recordFirst}`);
    await finishWhenStarted(h, 2);
    await h.until(() => h.announced.includes("done 2"));
    await h.loop.stop();
  }
});

test("an outcome the journal refuses is kept, written at a later step, and announced once", { timeout: 30_000 }, async (t) => {
  const h = harness({ refuseRecords: 1 });
  t.after(() => h.loop.stop());
  h.add(1);
  h.loop.start(() => {});
  await finishWhenStarted(h, 1);
  await h.until(() => h.calls.includes("record done 1"));
  assert.deepEqual(h.calls.filter((call) => call.includes("done 1")), ["refused done 1", "record done 1"]);
  assert.deepEqual(h.announced, ["done 1"], "announced after its first try, not again once written");
  assert.ok(h.errors.some((message) => /^cannot record a piece in the journal; keeping it in memory/.test(message)), h.errors.join("\n"));
});

test("what the journal still refuses at stop is named in the log", { timeout: 30_000 }, async () => {
  const h = harness({ refuseRecords: 10 });
  h.add(1);
  h.loop.start(() => {});
  await finishWhenStarted(h, 1);
  await h.until(() => h.calls.includes("refused done 1"));
  await h.loop.stop();
  assert.ok(h.errors.includes("the journal could not be written; they stay in flight"), h.errors.join("\n"));
});

test("the recovery runs at the first start only", () => {
  const h = harness();
  let recovered = 0;
  h.loop.start(() => (recovered += 1));
  h.loop.start(() => (recovered += 1));
  assert.equal(recovered, 1);
  return h.loop.stop();
});

/** An attempt that ends when finished ("done N") or when cut short by its signal ("cut N"). */
function abortable(piece: Piece, signal: AbortSignal): Promise<string> {
  return new Promise<string>((resolve) => {
    piece.finish = () => resolve(`done ${piece.id}`);
    signal.addEventListener("abort", () => resolve(`cut ${piece.id}`));
  });
}

test("stop lets work in flight finish within the grace, and cuts it short without one", { timeout: 30_000 }, async () => {
  const graced = harness({ attempt: abortable });
  graced.add(1);
  graced.loop.start(() => {});
  await graced.until(() => graced.calls.includes("claim 1"));
  const stopped = graced.loop.stop({ graceMs: 60_000 });
  graced.pieces.get(1)!.finish();
  await stopped;
  assert.deepEqual(graced.announced, ["done 1"]);

  const cut = harness({ attempt: abortable });
  cut.add(1);
  cut.loop.start(() => {});
  await cut.until(() => cut.calls.includes("claim 1"));
  await cut.loop.stop();
  assert.deepEqual(cut.announced, ["cut 1"]);
});
