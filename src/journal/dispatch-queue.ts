// The dispatcher's queue in the journal: claiming due dispatches, logging each laminarc attempt
// and moving its dispatch on, recovery at start-up and `redeliver --failed`.

import type BetterSqlite3 from "better-sqlite3";
import type { AttemptResult } from "../types.ts";
import { eachInSavepoint } from "./each-in-savepoint.ts";
import { parseParams, type DispatchRow } from "./journal-rows.ts";
import type { ClaimedDispatch, NextState } from "./journal-types.ts";

/** One attempt for recordAttempts: the dispatch it was for, how it ended, where the dispatch goes. */
export interface AttemptToRecord {
  dispatchId: number;
  result: AttemptResult;
  next: NextState;
}

/** Told of each attempt inside the transaction that records it (runs.ts records the run it queued). */
export type AttemptRecordedHook = (attempt: AttemptToRecord & { at: number }) => void;

/** The queue's operations, each one immediate transaction; SQLite's errors are the caller's to guard. */
export interface DispatchQueue {
  claimDue(now: number, limit: number): ClaimedDispatch[];
  /** Each attempt in its own savepoint of one transaction: its Error, or undefined when kept. */
  recordAttempts(items: readonly AttemptToRecord[]): (Error | undefined)[];
  releaseRunning(): number;
  retryFailed(deliveryId: number | undefined): number;
  nextDueTime(): number | null;
  pendingCount(): number;
  /**
   * Sets the hook told of each attempt recorded, inside its transaction: what it writes commits or
   * rolls back with the attempt (the run laminarc queued, and what listeners of run states write).
   */
  onAttemptRecorded(hook: AttemptRecordedHook | undefined): void;
}

/** Keeps a runaway laminarc from filling the journal; laminarc itself prints one short line. */
const MAX_STORED_OUTPUT = 8 * 1024;

export function prepareDispatchQueue(db: BetterSqlite3.Database, now: () => number): DispatchQueue {
  const s = prepareStatements(db);
  let attemptRecorded: AttemptRecordedHook | undefined;

  const claimDue = db.transaction((at: number, limit: number): ClaimedDispatch[] => {
    const rows = s.claimDue.all({ now: at, limit });
    // RETURNING gives no order.
    rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id);
    return rows.map((row) => ({
      id: row.id,
      deliveryId: row.delivery,
      attempt: row.attempts,
      request: { job: row.job, params: parseParams(row.params), host: row.host, reason: row.reason },
      ...(row.doubt_since === null ? {} : { doubtSince: row.doubt_since }),
    }));
  });

  const recordAttempt = db.transaction(({ dispatchId, result, next }: AttemptToRecord): void => {
    const finishedAt = now();
    const canceled = next.canceled === true;
    const message = result.outcome.kind === "queued" ? (result.outcome.note ?? null) : result.outcome.message;
    const startedAt = finishedAt - result.durationMs;
    s.insertAttempt.run({
      dispatch: dispatchId,
      started_at: startedAt,
      finished_at: finishedAt,
      duration_ms: result.durationMs,
      exit_code: result.exitCode,
      signal: result.signal,
      outcome: canceled ? "canceled" : result.outcome.kind,
      stdout: clip(result.stdout),
      stderr: clip(result.stderr),
      message,
    });
    s.updateDispatch.run({
      id: dispatchId,
      status: next.status,
      uncount: canceled ? 1 : 0,
      next_attempt_at: next.nextAttemptAt ?? finishedAt,
      run: result.outcome.kind === "queued" ? result.outcome.run : null,
      keep_error: canceled ? 1 : 0,
      last_error: next.error ?? message,
      now: finishedAt,
      doubt: next.doubt ?? "clear",
      doubt_since: startedAt,
    });
    if (!canceled) attemptRecorded?.({ dispatchId, result, next, at: finishedAt });
  });

  const recordAttempts = db.transaction((items: readonly AttemptToRecord[]) => eachInSavepoint(db, items, recordAttempt));

  return {
    claimDue: (at, limit) => (limit <= 0 ? [] : claimDue.immediate(at, Math.floor(limit))),
    recordAttempts: (items) => {
      if (items.length === 0) return [];
      return recordAttempts.immediate(items).map((result) => (result instanceof Error ? result : undefined));
    },
    releaseRunning: () => s.releaseRunning.run({ now: now() }).changes,
    retryFailed: (deliveryId) => s.retryFailed.run({ now: now(), delivery: deliveryId ?? null }).changes,
    nextDueTime: () => s.nextDueTime.get() ?? null,
    pendingCount: () => s.pendingCount.get() ?? 0,
    onAttemptRecorded: (hook) => {
      attemptRecorded = hook;
    },
  };
}

function prepareStatements(db: BetterSqlite3.Database) {
  return {
    claimDue: db.prepare<[{ now: number; limit: number }], DispatchRow>(`
      UPDATE dispatches SET status = 'running', attempts = attempts + 1, updated_at = @now
      WHERE id IN (
        SELECT id FROM dispatches WHERE status = 'pending' AND next_attempt_at <= @now
        ORDER BY next_attempt_at, id LIMIT @limit)
      RETURNING *`),
    insertAttempt: db.prepare<[Record<string, unknown>]>(`
      INSERT INTO attempts (dispatch, started_at, finished_at, duration_ms, exit_code, signal, outcome, stdout, stderr, message)
      VALUES (@dispatch, @started_at, @finished_at, @duration_ms, @exit_code, @signal, @outcome, @stdout, @stderr, @message)`),
    updateDispatch: db.prepare<[Record<string, unknown>]>(`
      UPDATE dispatches SET status = @status, attempts = MAX(attempts - @uncount, 0), next_attempt_at = @next_attempt_at,
        run = COALESCE(@run, run),
        last_error = CASE WHEN @keep_error = 1 THEN last_error ELSE @last_error END,
        doubt_since = CASE @doubt WHEN 'set' THEN COALESCE(doubt_since, @doubt_since) WHEN 'keep' THEN doubt_since ELSE NULL END,
        updated_at = @now
      WHERE id = @id`),
    // A dispatch left running was claimed (updated_at) and its laminarc may have queued it: in doubt
    // from then, unless an earlier doubt is older.
    releaseRunning: db.prepare<[{ now: number }]>(`
      UPDATE dispatches SET status = 'pending', next_attempt_at = MIN(next_attempt_at, @now), updated_at = @now,
        doubt_since = COALESCE(doubt_since, updated_at),
        last_error = 'laminar-hooks stopped during an attempt; whether laminarc reached Laminar is unknown'
      WHERE status = 'running'`),
    retryFailed: db.prepare<[{ now: number; delivery: number | null }]>(`
      UPDATE dispatches SET status = 'pending', attempts = 0, next_attempt_at = @now, updated_at = @now
      WHERE status = 'failed' AND (@delivery IS NULL OR delivery = @delivery)`),
    nextDueTime: db.prepare<[], number | null>(`SELECT MIN(next_attempt_at) FROM dispatches WHERE status = 'pending'`).pluck(),
    pendingCount: db.prepare<[], number>(`SELECT COUNT(*) FROM dispatches WHERE status = 'pending'`).pluck(),
  };
}

function clip(output: string): string {
  return output.length <= MAX_STORED_OUTPUT ? output : `${output.slice(0, MAX_STORED_OUTPUT)}\n[… ${output.length - MAX_STORED_OUTPUT} more characters]`;
}
