// The commit status outbox: one row per status to post, written in the transaction that records the
// run's change (so a status is never lost nor made up), taken by the poster in order per commit
// and context. Tokens never reach this table; the poster reads them from the config when it sends.

import type BetterSqlite3 from "better-sqlite3";
import type { ForgeName } from "../types.ts";
import type { RunState } from "./run-state.ts";
import { guardJournal } from "./journal-error.ts";

/**
 * `pending` waits for its turn, `sending` is in flight, then `posted`, `refused` (the forge said
 * no: 401, 403, 404, 422), `failed` (gave up after the retries) or `skipped` (a newer state for the
 * same commit and context came before it could be sent: the forge shows the latest anyway).
 */
export type StatusPostStatus = "pending" | "sending" | "posted" | "refused" | "failed" | "skipped";

/** One status to post, as the status listener plans it. */
export interface NewStatusPost {
  dispatchId: number;
  forge: ForgeName;
  repo: string;
  sha: string;
  /** What the forge shows; GitLab calls it `name`. */
  context: string;
  /** GitLab's `ref` (the branch or tag), when the delivery had one. */
  ref?: string;
  job: string;
  runNumber?: number;
  runState: RunState;
  /** The forge's own word: `pending`, `success`, `failure`, `error`; GitLab `running`, `failed`, `canceled`. */
  state: string;
  description: string;
  targetUrl?: string;
}

/** A post the poster took; `attempt` counts this one, the first being 1. */
export interface ClaimedStatusPost extends NewStatusPost {
  id: number;
  attempt: number;
}

/** A post as `show` prints it: what was asked, and what the forge answered last. */
export interface StatusPostRecord extends NewStatusPost {
  id: number;
  status: StatusPostStatus;
  attempts: number;
  nextAttemptAt: number;
  /** The HTTP status of the forge's last answer; null before any, or after a network error. */
  answerStatus: number | null;
  /** The forge's message, or what went wrong on the way. */
  answerMessage: string | null;
  createdAt: number;
  updatedAt: number;
}

/** How one attempt ended, as the poster records it. */
export interface StatusPostOutcome {
  status: Exclude<StatusPostStatus, "sending" | "skipped">;
  /** When a `pending` post is due again. */
  nextAttemptAt?: number;
  answerStatus: number | null;
  answerMessage: string | null;
  /** Cut short by a shutdown: it does not count as an attempt. */
  canceled?: boolean;
}

/** What the listener reads of a dispatch and its delivery to plan a status. */
export interface DispatchFacts {
  deliveryId: number;
  job: string;
  params: Record<string, string>;
  forge: ForgeName;
  repo: string | null;
  /** The normalised event: push, tag, pull_request, release. */
  event: string;
  /** The newer commit whose push aborted this dispatch's run (`supersede`). */
  supersededBy?: string;
}

interface PostRow {
  id: number;
  dispatch: number;
  forge: string;
  repo: string;
  sha: string;
  context: string;
  ref: string | null;
  job: string;
  run_number: number | null;
  run_state: string;
  state: string;
  description: string;
  target_url: string | null;
  status: StatusPostStatus;
  attempts: number;
  next_attempt_at: number;
  answer_status: number | null;
  answer_message: string | null;
  created_at: number;
  updated_at: number;
}

const SUPERSEDED = "not sent: a newer state for this commit and context came first";

// Same commit and context: the forge keeps only the latest state of such a key.
const SAME_KEY = "q.forge = p.forge AND q.repo = p.repo AND q.sha = p.sha AND q.context = p.context";
// A pending post that may go now: nothing of its key in flight, and nothing newer waiting (which
// would make it pointless). So no key ever has two posts in flight, and none goes out of order.
const CLAIMABLE = `p.status = 'pending' AND NOT EXISTS (
  SELECT 1 FROM status_posts q WHERE ${SAME_KEY} AND (q.status = 'sending' OR (q.status = 'pending' AND q.id > p.id)))`;

/** The outbox's table, on the journal's connection (Journal.database). Every write is durable before it returns. */
export class StatusOutbox {
  readonly #statements;
  readonly #claim;

  constructor(db: BetterSqlite3.Database) {
    const s = guardJournal(() => prepare(db));
    this.#statements = s;
    this.#claim = db.transaction((now: number, limit: number): ClaimedStatusPost[] => {
      const rows = s.claimable.all({ now, limit });
      return rows.map((row) => {
        s.skipOlder.run({ ...keyOf(row), id: row.id, message: SUPERSEDED, now });
        s.markSending.run({ id: row.id, now });
        return { ...toNewPost(row), id: row.id, attempt: row.attempts + 1 };
      });
    });
  }

  /**
   * Adds a post to make. Meant to run inside the transaction that records the run's change (the
   * listener is called there), so both are kept or neither is.
   */
  enqueue(post: NewStatusPost, now: number): number {
    return guardJournal(() => Number(this.#statements.insert.run({
      dispatch: post.dispatchId,
      forge: post.forge,
      repo: post.repo,
      sha: post.sha,
      context: post.context,
      ref: post.ref ?? null,
      job: post.job,
      run_number: post.runNumber ?? null,
      run_state: post.runState,
      state: post.state,
      description: post.description,
      target_url: post.targetUrl ?? null,
      now,
    }).lastInsertRowid));
  }

  /** The delivery behind a dispatch, or undefined when it is gone (pruned). */
  dispatchFacts(dispatchId: number): DispatchFacts | undefined {
    return guardJournal(() => {
      const row = this.#statements.facts.get(dispatchId);
      if (row === undefined) return undefined;
      return {
        deliveryId: row.delivery,
        job: row.job,
        params: JSON.parse(row.params) as Record<string, string>,
        forge: row.forge as ForgeName,
        repo: row.repo,
        event: row.kind,
        ...(row.superseded_by === null ? {} : { supersededBy: row.superseded_by }),
      };
    });
  }

  /** Marks up to `limit` due posts `sending`, at most one per commit and context, skipping older waiting ones. */
  claimDue(now: number, limit: number): ClaimedStatusPost[] {
    if (limit <= 0) return [];
    return guardJournal(() => this.#claim.immediate(now, Math.floor(limit)));
  }

  /** Records how a claimed post's attempt ended. */
  record(id: number, outcome: StatusPostOutcome, now: number): void {
    guardJournal(() => this.#statements.record.run({
      id,
      status: outcome.status,
      uncount: outcome.canceled === true ? 1 : 0,
      next_attempt_at: outcome.nextAttemptAt ?? now,
      answer_status: outcome.answerStatus,
      // A success says nothing worth keeping: no message rather than an empty one.
      answer_message: outcome.answerMessage === "" ? null : outcome.answerMessage,
      now,
    }));
  }

  /** A forge said to slow down (rate limit): nothing more goes to it before `until`. */
  deferForge(forge: ForgeName, until: number): void {
    guardJournal(() => this.#statements.deferForge.run({ forge, until }));
  }

  /**
   * At start-up: posts left `sending` were in flight when the service died; whether the forge
   * got them is unknown, and posting a status twice is harmless, so they go again now.
   */
  releaseSending(now: number): number {
    return guardJournal(() => this.#statements.releaseSending.run({ now }).changes);
  }

  /** When the earliest post that could be claimed is due, or null. */
  nextDueTime(): number | null {
    return guardJournal(() => this.#statements.nextDue.get() ?? null);
  }

  /** The outbox's length: posts waiting or in flight. */
  waitingCount(): number {
    return guardJournal(() => this.#statements.waiting.get() ?? 0);
  }

  /** `show`: every status of a delivery's dispatches, oldest first. */
  postsOfDelivery(deliveryId: number): StatusPostRecord[] {
    return guardJournal(() => this.#statements.ofDelivery.all(deliveryId).map(toRecord));
  }

  /** `deliveries`: each dispatch's latest status (never a skipped one: only older posts are skipped), by dispatch id. */
  latestOfDispatches(dispatchIds: readonly number[]): Map<number, StatusPostRecord> {
    const rows = dispatchIds.length === 0 ? [] : guardJournal(() => this.#statements.latestOf.all(JSON.stringify(dispatchIds)));
    return new Map(rows.map((row) => [row.dispatch, toRecord(row)]));
  }
}

function prepare(db: BetterSqlite3.Database) {
  return {
    insert: db.prepare<[Record<string, unknown>]>(`
      INSERT INTO status_posts (dispatch, forge, repo, sha, context, ref, job, run_number, run_state, state, description,
        target_url, status, attempts, next_attempt_at, created_at, updated_at)
      VALUES (@dispatch, @forge, @repo, @sha, @context, @ref, @job, @run_number, @run_state, @state, @description,
        @target_url, 'pending', 0, @now, @now, @now)`),
    facts: db.prepare<[number], { delivery: number; job: string; params: string; forge: string; repo: string | null; kind: string; superseded_by: string | null }>(`
      SELECT x.delivery, x.job, x.params, d.forge, d.repo, d.kind, a.superseded_by
      FROM dispatches x JOIN deliveries d ON d.id = x.delivery LEFT JOIN run_aborts a ON a.dispatch = x.id AND a.why = 'superseded'
      WHERE x.id = ?`),
    claimable: db.prepare<[{ now: number; limit: number }], PostRow>(`
      SELECT p.* FROM status_posts p WHERE ${CLAIMABLE} AND p.next_attempt_at <= @now
      ORDER BY p.next_attempt_at, p.id LIMIT @limit`),
    skipOlder: db.prepare<[Record<string, unknown>]>(`
      UPDATE status_posts SET status = 'skipped', answer_message = @message, updated_at = @now
      WHERE forge = @forge AND repo = @repo AND sha = @sha AND context = @context AND status = 'pending' AND id < @id`),
    markSending: db.prepare<[{ id: number; now: number }]>(`
      UPDATE status_posts SET status = 'sending', attempts = attempts + 1, updated_at = @now WHERE id = @id`),
    record: db.prepare<[Record<string, unknown>]>(`
      UPDATE status_posts SET status = @status, attempts = MAX(attempts - @uncount, 0), next_attempt_at = @next_attempt_at,
        answer_status = @answer_status, answer_message = @answer_message, updated_at = @now
      WHERE id = @id AND status = 'sending'`),
    deferForge: db.prepare<[{ forge: string; until: number }]>(`
      UPDATE status_posts SET next_attempt_at = MAX(next_attempt_at, @until) WHERE forge = @forge AND status = 'pending'`),
    releaseSending: db.prepare<[{ now: number }]>(`
      UPDATE status_posts SET status = 'pending', next_attempt_at = MIN(next_attempt_at, @now), updated_at = @now
      WHERE status = 'sending'`),
    nextDue: db.prepare<[], number | null>(`SELECT MIN(p.next_attempt_at) FROM status_posts p WHERE ${CLAIMABLE}`).pluck(),
    waiting: db.prepare<[], number>(`SELECT COUNT(*) FROM status_posts WHERE status IN ('pending', 'sending')`).pluck(),
    ofDelivery: db.prepare<[number], PostRow>(`
      SELECT p.* FROM status_posts p JOIN dispatches x ON x.id = p.dispatch WHERE x.delivery = ? ORDER BY p.id`),
    latestOf: db.prepare<[string], PostRow>(`
      SELECT p.* FROM status_posts p WHERE p.id IN (SELECT MAX(q.id) FROM status_posts q
        WHERE q.dispatch IN (SELECT value FROM json_each(?)) GROUP BY q.dispatch)`),
  };
}

function keyOf(row: PostRow) {
  return { forge: row.forge, repo: row.repo, sha: row.sha, context: row.context };
}

function toNewPost(row: PostRow): NewStatusPost {
  return {
    dispatchId: row.dispatch,
    forge: row.forge as ForgeName,
    repo: row.repo,
    sha: row.sha,
    context: row.context,
    job: row.job,
    runState: row.run_state as RunState,
    state: row.state,
    description: row.description,
    ...(row.ref !== null ? { ref: row.ref } : {}),
    ...(row.run_number !== null ? { runNumber: row.run_number } : {}),
    ...(row.target_url !== null ? { targetUrl: row.target_url } : {}),
  };
}

function toRecord(row: PostRow): StatusPostRecord {
  return {
    ...toNewPost(row),
    id: row.id,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    answerStatus: row.answer_status,
    answerMessage: row.answer_message,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
