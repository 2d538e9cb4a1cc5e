// The `runs` table: each Laminar run a dispatch became (`job:42`), followed from queued to its
// result through laminard's event stream (src/laminar/follow-runs.ts). Every change is one
// transaction in which the run-state listeners are told, so what they write commits with it.

import type BetterSqlite3 from "better-sqlite3";
import type { RunStateChange } from "./run-state.ts";
import { guardJournal } from "./journal-error.ts";

/** A run's state as stored: laminard's result, or `lost` (a laminard restart forgot it). */
export type StoredRunState = "queued" | "running" | "success" | "failed" | "aborted" | "lost";

/** One run of a dispatch, as `show`, `deliveries` and the follower read it. */
export interface RunRecord {
  id: number;
  dispatchId: number;
  job: string;
  number: number;
  state: StoredRunState;
  /** ms since the epoch */
  queuedAt: number;
  startedAt: number | null;
  completedAt: number | null;
  /** A lost run queued again: the new run, `job:43`. */
  requeuedAs: string | null;
  /** Why it was lost. */
  note: string | null;
}

/** What the follower learned of a run: a later state and its times (ms). */
interface RunProgress {
  state: "running" | "success" | "failed" | "aborted";
  startedAt?: number;
  completedAt?: number;
}

/** How a lost run's dispatch goes on: queued again with a new reason, or failed. */
type LostOutcome = { kind: "requeue"; reason: string; note: string } | { kind: "give-up"; note: string; error: string };

interface RunRow {
  id: number;
  dispatch: number;
  job: string;
  number: number;
  state: StoredRunState;
  queued_at: number;
  started_at: number | null;
  completed_at: number | null;
  requeued_as: string | null;
  note: string | null;
}

/**
 * Runs in the journal's database. `recordQueued` runs inside the transaction of the attempt that
 * queued the run (Journal.onAttemptRecorded); the others are transactions of their own.
 */
export class RunJournal {
  readonly #emit: (change: RunStateChange) => void;
  readonly #now: () => number;
  readonly #s;
  readonly #advance;
  readonly #markLost;

  constructor(db: BetterSqlite3.Database, options: { emit: (change: RunStateChange) => void; now?: () => number }) {
    this.#emit = options.emit;
    this.#now = options.now ?? Date.now;
    this.#s = guardJournal(() => prepare(db));
    const s = this.#s;

    this.#advance = db.transaction((id: number, progress: RunProgress): RunStateChange | undefined => {
      const row = s.byId.get(id);
      if (row === undefined || !canAdvance(row.state, progress.state)) return undefined;
      const now = this.#now();
      s.advance.run({ id, state: progress.state, started_at: progress.startedAt ?? null, completed_at: progress.completedAt ?? null, now });
      const change: RunStateChange = { dispatchId: row.dispatch, job: row.job, runNumber: row.number, state: progress.state, at: now };
      if (progress.state === "running") {
        change.at = progress.startedAt ?? now;
      } else {
        change.at = progress.completedAt ?? now;
        const started = progress.startedAt ?? row.started_at;
        if (started !== null && progress.completedAt !== undefined) change.durationMs = Math.max(0, progress.completedAt - started);
      }
      this.#emit(change);
      return change;
    });

    this.#markLost = db.transaction((id: number, outcome: LostOutcome): RunStateChange[] => {
      const row = s.byId.get(id);
      if (row === undefined || (row.state !== "queued" && row.state !== "running")) return [];
      const now = this.#now();
      s.lose.run({ id, note: outcome.note, now });
      const changes: RunStateChange[] = [{ dispatchId: row.dispatch, job: row.job, runNumber: row.number, state: "lost", at: now, reason: outcome.note }];
      if (outcome.kind === "requeue") {
        s.requeue.run({ id: row.dispatch, reason: outcome.reason, now, last_error: outcome.note });
      } else {
        s.fail.run({ id: row.dispatch, now, last_error: outcome.error });
        changes.push({ dispatchId: row.dispatch, job: row.job, state: "error", at: now, reason: outcome.error });
      }
      for (const change of changes) this.#emit(change);
      return changes;
    });
  }

  /**
   * A run laminarc queued for a dispatch: recorded as `queued`, and a lost run of the same
   * dispatch that waited for it now points at it. Call inside the attempt's transaction.
   */
  recordQueued(dispatchId: number, job: string, number: number, at: number): void {
    this.#s.requeuedAs.run({ dispatch: dispatchId, run: `${job}:${number}` });
    this.#s.insert.run({ dispatch: dispatchId, job, number, queued_at: at, now: at });
  }

  /** Moves a followed run forward (never back); the change told, or undefined when it was not news. */
  advance(id: number, progress: RunProgress): RunStateChange | undefined {
    return guardJournal(() => this.#advance.immediate(id, progress));
  }

  /** Marks a followed run lost and queues its dispatch again or fails it, in one transaction. */
  markLost(id: number, outcome: LostOutcome): RunStateChange[] {
    return guardJournal(() => this.#markLost.immediate(id, outcome));
  }

  /** One run by its id. */
  get(id: number): RunRecord | undefined {
    return guardJournal(() => {
      const row = this.#s.byId.get(id);
      return row === undefined ? undefined : toRecord(row);
    });
  }

  /** The runs still queued or running, oldest first. */
  followed(): RunRecord[] {
    return guardJournal(() => this.#s.followed.all().map(toRecord));
  }

  /** The followed run job:number, if any. */
  findFollowed(job: string, number: number): RunRecord | undefined {
    return guardJournal(() => {
      const row = this.#s.findFollowed.get(job, number);
      return row === undefined ? undefined : toRecord(row);
    });
  }

  /** The run numbers recorded for a dispatch. */
  numbersOf(dispatchId: number): number[] {
    return guardJournal(() => this.#s.numbersOf.all(dispatchId));
  }

  /** How many runs of a dispatch laminard lost before. */
  lostCount(dispatchId: number): number {
    return guardJournal(() => this.#s.lostCount.get(dispatchId) ?? 0);
  }

  /** A dispatch's job, the LAMINAR_REASON it is queued with now, and its own `host:` ("" for laminar.host). */
  dispatchOf(dispatchId: number): { job: string; reason: string; host: string } | undefined {
    return guardJournal(() => this.#s.dispatch.get(dispatchId));
  }

  /** Followed runs (queued or running), for the metrics gauge. */
  followedCount(): number {
    return guardJournal(() => this.#s.followedCount.get() ?? 0);
  }
}

/** The runs of these dispatches, oldest first, for `show` and `deliveries`: dispatch id → runs. */
export function readRuns(db: BetterSqlite3.Database, dispatchIds: readonly number[]): Map<number, RunRecord[]> {
  const byDispatch = new Map<number, RunRecord[]>();
  if (dispatchIds.length === 0) return byDispatch;
  const rows = guardJournal(() =>
    db.prepare<[string], RunRow>(`SELECT * FROM runs WHERE dispatch IN (SELECT value FROM json_each(?)) ORDER BY id`).all(JSON.stringify(dispatchIds)));
  for (const row of rows) {
    const list = byDispatch.get(row.dispatch) ?? [];
    list.push(toRecord(row));
    byDispatch.set(row.dispatch, list);
  }
  return byDispatch;
}

const ORDER: Readonly<Record<StoredRunState, number>> = { queued: 0, running: 1, success: 2, failed: 2, aborted: 2, lost: 2 };

function canAdvance(from: StoredRunState, to: StoredRunState): boolean {
  return ORDER[to] > ORDER[from];
}

function prepare(db: BetterSqlite3.Database) {
  return {
    insert: db.prepare<[{ dispatch: number; job: string; number: number; queued_at: number; now: number }]>(`
      INSERT INTO runs (dispatch, job, number, state, queued_at, updated_at)
      VALUES (@dispatch, @job, @number, 'queued', @queued_at, @now)`),
    requeuedAs: db.prepare<[{ dispatch: number; run: string }]>(`
      UPDATE runs SET requeued_as = @run WHERE dispatch = @dispatch AND state = 'lost' AND requeued_as IS NULL`),
    byId: db.prepare<[number], RunRow>(`SELECT * FROM runs WHERE id = ?`),
    advance: db.prepare<[{ id: number; state: string; started_at: number | null; completed_at: number | null; now: number }]>(`
      UPDATE runs SET state = @state, started_at = COALESCE(@started_at, started_at),
        completed_at = COALESCE(@completed_at, completed_at), updated_at = @now
      WHERE id = @id`),
    lose: db.prepare<[{ id: number; note: string; now: number }]>(`
      UPDATE runs SET state = 'lost', note = @note, completed_at = @now, updated_at = @now WHERE id = @id`),
    // The retry budget starts afresh: the new run is a new laminarc call, not one more of a failing series.
    requeue: db.prepare<[{ id: number; reason: string; now: number; last_error: string }]>(`
      UPDATE dispatches SET status = 'pending', attempts = 0, next_attempt_at = @now, reason = @reason,
        last_error = @last_error, updated_at = @now
      WHERE id = @id AND status = 'done'`),
    fail: db.prepare<[{ id: number; now: number; last_error: string }]>(`
      UPDATE dispatches SET status = 'failed', last_error = @last_error, updated_at = @now WHERE id = @id AND status = 'done'`),
    followed: db.prepare<[], RunRow>(`SELECT * FROM runs WHERE state IN ('queued', 'running') ORDER BY id`),
    findFollowed: db.prepare<[string, number], RunRow>(
      `SELECT * FROM runs WHERE job = ? AND number = ? AND state IN ('queued', 'running') ORDER BY id DESC LIMIT 1`),
    numbersOf: db.prepare<[number], number>(`SELECT number FROM runs WHERE dispatch = ?`).pluck(),
    lostCount: db.prepare<[number], number>(`SELECT COUNT(*) FROM runs WHERE dispatch = ? AND state = 'lost'`).pluck(),
    dispatch: db.prepare<[number], { job: string; reason: string; host: string }>(`SELECT job, reason, host FROM dispatches WHERE id = ?`),
    followedCount: db.prepare<[], number>(`SELECT COUNT(*) FROM runs WHERE state IN ('queued', 'running')`).pluck(),
  };
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    dispatchId: row.dispatch,
    job: row.job,
    number: row.number,
    state: row.state,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    requeuedAs: row.requeued_as,
    note: row.note,
  };
}
