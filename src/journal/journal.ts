import { closeSync, fdatasync, openSync, statfsSync } from "node:fs";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import type { AttemptResult, ForgeName, JobRequest, TraceLine } from "../types.ts";
import { filterHeaders } from "./filter-headers.ts";
import { GroupCommit } from "./group-commit.ts";
import { guardJournal } from "./journal-error.ts";
import { JournalUnavailableError } from "../errors.ts";
import type {
  AttemptRecord,
  AttemptRecordOutcome,
  ClaimedDispatch,
  DeliveryDetail,
  DeliveryInput,
  DeliveryListItem,
  DeliveryStatus,
  DeliverySummary,
  DispatchDetail,
  DispatchStatus,
  DispatchSummary,
  NextState,
  RecordDeliveryResult,
} from "./journal-types.ts";
import { migrate } from "./migrations.ts";

/** One attempt for recordAttempts, as recordAttempt takes it. */
export interface AttemptToRecord {
  dispatchId: number;
  result: AttemptResult;
  next: NextState;
}

/** Told of each attempt inside the transaction that records it (runs.ts records the run it queued). */
export type AttemptRecordedHook = (attempt: AttemptToRecord & { at: number }) => void;

/** Dependencies of a Journal, injected so tests can control them. */
export interface JournalOptions {
  /** ms since the epoch; injected so tests control time. */
  now?: () => number;
  /**
   * The connection commits without syncing (`synchronous = NORMAL`, set by openJournal) and the
   * journal syncs the WAL itself, on libuv's thread pool, after each group commit: the event loop
   * never waits for the disk, and one sync covers every commit made before it. commitDelivery
   * still resolves only once its delivery is on disk.
   */
  syncInBackground?: boolean;
}

interface DeliveryRow {
  id: number;
  forge: string;
  delivery_id: string;
  received_at: number;
  forge_event: string;
  kind: string;
  action: string | null;
  repo: string | null;
  ref: string | null;
  sender: string | null;
  remote_address: string | null;
  headers: string;
  payload: string;
  note: string | null;
  trace: string;
  dispatch_count: number;
  derived_status: DeliveryStatus;
}

interface DispatchRow {
  id: number;
  delivery: number;
  job: string;
  params: string;
  host: string;
  reason: string;
  status: DispatchStatus;
  attempts: number;
  next_attempt_at: number;
  run: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

interface AttemptRow {
  id: number;
  dispatch: number;
  started_at: number;
  finished_at: number;
  duration_ms: number;
  exit_code: number | null;
  signal: string | null;
  outcome: AttemptRecordOutcome;
  stdout: string;
  stderr: string;
  message: string | null;
}

/** Below this much free space on the journal's disk, isWritable() says no before a delivery fails. */
const MIN_FREE_BYTES = 1024 * 1024;

/** Keeps a runaway laminarc from filling the journal; laminarc itself prints one short line. */
const MAX_STORED_OUTPUT = 8 * 1024;

// A delivery's status as a person asks for it, derived from its dispatches (journal-types.ts).
const DELIVERY_COLUMNS = `
  d.*,
  (SELECT COUNT(*) FROM dispatches x WHERE x.delivery = d.id) AS dispatch_count,
  CASE
    WHEN NOT EXISTS (SELECT 1 FROM dispatches x WHERE x.delivery = d.id) THEN 'ignored'
    WHEN EXISTS (SELECT 1 FROM dispatches x WHERE x.delivery = d.id AND x.status IN ('pending', 'running')) THEN 'queued'
    WHEN EXISTS (SELECT 1 FROM dispatches x JOIN runs r ON r.dispatch = x.id
                 WHERE x.delivery = d.id AND r.state IN ('queued', 'running')) THEN 'queued'
    WHEN EXISTS (SELECT 1 FROM dispatches x WHERE x.delivery = d.id AND x.status = 'failed') THEN 'failed'
    ELSE 'done'
  END AS derived_status`;

/**
 * The durable record of deliveries, their dispatches (one per job) and every laminarc attempt.
 * Every write is one transaction, committed to disk (synchronous = FULL, set by openJournal)
 * before it returns, so a delivery is kept before the sender is answered. Storage failures throw
 * JournalUnavailableError.
 */
export class Journal {
  readonly #db: BetterSqlite3.Database;
  readonly #now: () => number;
  readonly #statements;
  readonly #recordDelivery;
  readonly #addDispatches;
  readonly #claimDue;
  readonly #recordAttempt;
  readonly #recordDeliveries;
  readonly #recordAttempts;
  readonly #deliveryBatch: GroupCommit<DeliveryInput, RecordDeliveryResult>;
  readonly #syncInBackground: boolean;
  #attemptRecorded: AttemptRecordedHook | undefined;
  #walFd: number | undefined;
  /** The WAL sync running now, and the one to run after it for commits made meanwhile. */
  #syncing: Promise<void> | undefined;
  #nextSync: Promise<void> | undefined;

  /** Wraps an open database, bringing its schema up to date; openJournal is the usual way in. */
  constructor(db: BetterSqlite3.Database, options: JournalOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    guardJournal(() => {
      db.pragma("foreign_keys = ON");
      migrate(db);
    });
    this.#statements = guardJournal(() => prepareStatements(db));
    const s = this.#statements;

    this.#recordDelivery = db.transaction((input: DeliveryInput): RecordDeliveryResult => {
      const now = this.#now();
      const existing = s.findDelivery.get(input.forge, input.deliveryId);
      const fields = {
        forge: input.forge,
        delivery_id: input.deliveryId,
        received_at: input.receivedAt,
        forge_event: input.forgeEvent,
        kind: input.kind,
        action: input.action ?? null,
        repo: input.repo ?? null,
        ref: input.ref ?? null,
        sender: input.sender ?? null,
        remote_address: input.remoteAddress ?? null,
        headers: JSON.stringify(filterHeaders(input.headers)),
        payload: input.payload,
        status: input.jobs.length > 0 ? "queued" : "ignored",
        note: input.note ?? null,
        trace: JSON.stringify(input.trace),
      };
      if (existing !== undefined && existing.dispatch_count > 0) {
        return { id: existing.id, duplicate: true, rerouted: false, dispatchIds: [] };
      }
      let id: number;
      if (existing === undefined) {
        id = Number(s.insertDelivery.run(fields).lastInsertRowid);
      } else {
        // It matched nothing the first time: route it again ("fix the config, press Redeliver").
        id = existing.id;
        s.updateDelivery.run({ ...fields, id });
      }
      const dispatchIds = input.jobs.map((job) => this.#insertDispatch(id, job, now));
      return { id, duplicate: false, rerouted: existing !== undefined, dispatchIds };
    });

    this.#addDispatches = db.transaction((deliveryId: number, jobs: readonly JobRequest[], trace: readonly TraceLine[]): number[] => {
      const now = this.#now();
      const changed = s.updateRouting.run({ id: deliveryId, trace: JSON.stringify(trace), queued: jobs.length > 0 ? 1 : 0 });
      if (changed.changes === 0) throw new Error(`the journal has no delivery with id ${deliveryId}`);
      return jobs.map((job) => this.#insertDispatch(deliveryId, job, now));
    });

    this.#claimDue = db.transaction((now: number, limit: number): ClaimedDispatch[] => {
      const rows = s.claimDue.all({ now, limit });
      rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id);
      return rows.map((row) => ({
        id: row.id,
        deliveryId: row.delivery,
        attempt: row.attempts,
        request: { job: row.job, params: parseParams(row.params), host: row.host, reason: row.reason },
      }));
    });

    this.#recordAttempt = db.transaction((dispatchId: number, result: AttemptResult, next: NextState): void => {
      const finishedAt = this.#now();
      const canceled = next.canceled === true;
      const message = result.outcome.kind === "queued" ? null : result.outcome.message;
      s.insertAttempt.run({
        dispatch: dispatchId,
        started_at: finishedAt - result.durationMs,
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
      });
      if (!canceled) this.#attemptRecorded?.({ dispatchId, result, next, at: finishedAt });
    });

    // Group commit: many writes in one durable transaction (one fsync). Each write is a nested
    // transaction, that is a savepoint, so one that fails is rolled back alone.
    this.#recordDeliveries = db.transaction((inputs: readonly DeliveryInput[]) =>
      this.#eachInSavepoint(inputs, (input) => this.#recordDelivery(input)));
    this.#recordAttempts = db.transaction((items: readonly AttemptToRecord[]) =>
      this.#eachInSavepoint(items, (item) => this.#recordAttempt(item.dispatchId, item.result, item.next)));
    this.#syncInBackground = options.syncInBackground === true && !db.memory;
    this.#deliveryBatch = new GroupCommit(
      (inputs) => this.recordDeliveries(inputs),
      this.#syncInBackground ? () => this.#syncWal() : undefined,
    );
  }

  /**
   * Resolves once everything committed before this call is on disk. In WAL mode a commit is
   * durable once the WAL is (SQLite syncs the database file itself at each checkpoint), and an
   * fdatasync of the file from any descriptor covers every write made to it before.
   */
  #syncWal(): Promise<void> {
    if (this.#syncing === undefined) return this.#startSync();
    // A sync is running: it may have begun before the latest commit, so one more follows it.
    this.#nextSync ??= this.#syncing.then(() => this.#startSync(), () => this.#startSync());
    return this.#nextSync;
  }

  #startSync(): Promise<void> {
    this.#nextSync = undefined;
    const done = new Promise<void>((resolve, reject) => {
      try {
        this.#walFd ??= openSync(`${this.#db.name}-wal`, "r");
      } catch (error) {
        reject(new JournalUnavailableError(error));
        return;
      }
      fdatasync(this.#walFd, (error) => (error ? reject(new JournalUnavailableError(error)) : resolve()));
    }).finally(() => {
      if (this.#syncing === done) this.#syncing = undefined;
    });
    this.#syncing = done;
    return done;
  }

  #eachInSavepoint<I, O>(items: readonly I[], write: (item: I) => O): (O | Error)[] {
    return items.map((item) => {
      try {
        return guardJournal(() => write(item));
      } catch (error) {
        // Some failures (SQLITE_FULL, SQLITE_IOERR) roll back the whole transaction: then nothing
        // of the batch is kept, and the caller must hear so.
        if (!this.#db.inTransaction) throw error;
        return error instanceof Error ? error : new Error(String(error));
      }
    });
  }

  #insertDispatch(deliveryId: number, job: JobRequest, now: number): number {
    const result = this.#statements.insertDispatch.run({
      delivery: deliveryId,
      job: job.job,
      params: JSON.stringify(job.params),
      host: job.host,
      reason: job.reason,
      now,
    });
    return Number(result.lastInsertRowid);
  }

  /**
   * Sets the hook told of each attempt recorded, inside its transaction: what it writes commits or
   * rolls back with the attempt (the run laminarc queued, and what listeners of run states write).
   */
  onAttemptRecorded(hook: AttemptRecordedHook | undefined): void {
    this.#attemptRecorded = hook;
  }

  /** The de-duplication check: a delivery already journaled under this forge's delivery id. */
  findDelivery(forge: ForgeName, deliveryId: string): DeliverySummary | undefined {
    return guardJournal(() => {
      const row = this.#statements.findDelivery.get(forge, deliveryId);
      return row === undefined ? undefined : toSummary(row);
    });
  }

  /**
   * Keeps a delivery and one pending dispatch per job, in one durable transaction. A delivery id
   * seen before with jobs is a duplicate and changes nothing; one seen before without jobs is
   * routed again with this input.
   */
  recordDelivery(input: DeliveryInput): RecordDeliveryResult {
    return guardJournal(() => this.#recordDelivery.immediate(input));
  }

  /**
   * recordDelivery for a whole batch in one durable transaction: each delivery gets its result
   * or its own error, in order. Two copies of one delivery in a batch: the second is a duplicate.
   * Throws (JournalUnavailableError) when the commit fails: then none of them is kept.
   */
  recordDeliveries(inputs: readonly DeliveryInput[]): (RecordDeliveryResult | Error)[] {
    if (inputs.length === 0) return [];
    return guardJournal(() => this.#recordDeliveries.immediate(inputs));
  }

  /**
   * recordDelivery with group commit: every delivery recorded during this turn of the event loop
   * shares one transaction, committed when the turn ends. Resolves once it is on disk; rejects
   * (JournalUnavailableError) when it is not kept.
   */
  commitDelivery(input: DeliveryInput): Promise<RecordDeliveryResult> {
    return this.#deliveryBatch.add(input);
  }

  /** `redeliver`: new dispatches for a delivery already kept, routed again from its payload. */
  addDispatches(deliveryId: number, jobs: readonly JobRequest[], trace: readonly TraceLine[]): number[] {
    return guardJournal(() => this.#addDispatches.immediate(deliveryId, jobs, trace));
  }

  /**
   * For /readyz: room to grow (SQLite's page limit, free space on the disk), then a real, durable
   * one-row write, so a full disk, a read-only file or a lock held elsewhere shows.
   */
  isWritable(): boolean {
    try {
      const room = this.#statements.room.get();
      if (room !== undefined && room.max - room.pages + room.free <= 0) return false;
      if (this.#freeDiskBytes() < MIN_FREE_BYTES) return false;
      this.#statements.heartbeat.run(this.#now());
      return true;
    } catch {
      return false;
    }
  }

  #freeDiskBytes(): number {
    if (this.#db.memory) return Number.POSITIVE_INFINITY;
    try {
      const stats = statfsSync(dirname(this.#db.name));
      return Number(stats.bavail) * Number(stats.bsize);
    } catch {
      // A filesystem that cannot tell: the heartbeat write still tests it.
      return Number.POSITIVE_INFINITY;
    }
  }

  /** The connection itself: for maintenance, and for tests that simulate a full disk (max_page_count). */
  get database(): BetterSqlite3.Database {
    return this.#db;
  }

  /** Marks up to `limit` due pending dispatches running and counts the attempt, atomically. */
  claimDue(now: number, limit: number): ClaimedDispatch[] {
    if (limit <= 0) return [];
    return guardJournal(() => this.#claimDue.immediate(now, Math.floor(limit)));
  }

  /** Logs one attempt with laminarc's output and moves its dispatch on, in one transaction. */
  recordAttempt(dispatchId: number, result: AttemptResult, next: NextState): void {
    guardJournal(() => this.#recordAttempt.immediate(dispatchId, result, next));
  }

  /**
   * recordAttempt for several attempts in one durable transaction: undefined for each one kept,
   * its error for one that was not. Throws when the commit fails: then none of them is kept.
   */
  recordAttempts(items: readonly AttemptToRecord[]): (Error | undefined)[] {
    if (items.length === 0) return [];
    const results = guardJournal(() => this.#recordAttempts.immediate(items));
    // Nobody waits for it, but a done dispatch must not turn pending again after a power loss
    // (and run twice) for longer than one sync takes.
    if (this.#syncInBackground) this.#syncWal().catch(() => {});
    return results.map((result) => (result instanceof Error ? result : undefined));
  }

  /**
   * At start-up: dispatches left running were in flight when the service died. Their attempt
   * stays counted (it may have reached laminard); they are due again now. Returns how many.
   */
  releaseRunning(): number {
    return guardJournal(() => this.#statements.releaseRunning.run({ now: this.#now() }).changes);
  }

  /**
   * `redeliver --failed`: failed dispatches (of one delivery, or all) become pending again with a
   * fresh retry budget, after an outage that outlasted the retries or once a missing job exists.
   * The same dispatch rows, so the jobs that did get queued are not queued again.
   */
  retryFailed(deliveryId?: number): number {
    return guardJournal(() => this.#statements.retryFailed.run({ now: this.#now(), delivery: deliveryId ?? null }).changes);
  }

  /** When the earliest pending dispatch is due (ms), or null when none is pending. */
  nextDueTime(): number | null {
    return guardJournal(() => this.#statements.nextDueTime.get() ?? null);
  }

  /** Dispatches waiting for an attempt (not counting those running now). */
  pendingCount(): number {
    return guardJournal(() => this.#statements.pendingCount.get() ?? 0);
  }

  /** `deliveries`: newest first, each with its jobs, their status and Laminar run. */
  listDeliveries(options: { limit?: number; status?: DeliveryStatus } = {}): DeliveryListItem[] {
    return guardJournal(() => {
      const rows = this.#statements.listDeliveries.all({ status: options.status ?? null, limit: options.limit ?? 50 });
      const jobs = new Map<number, DispatchSummary[]>();
      const ids = rows.map((row) => row.id);
      for (const row of this.#statements.dispatchesOf.all(JSON.stringify(ids))) {
        const list = jobs.get(row.delivery) ?? [];
        list.push(toDispatchSummary(row));
        jobs.set(row.delivery, list);
      }
      return rows.map((row) => ({ ...toSummary(row), jobs: jobs.get(row.id) ?? [] }));
    });
  }

  /**
   * `show` and `redeliver`: one delivery by the journal's id (a number, or digits) or else by the
   * forge's delivery id, with its headers, trace, payload, dispatches and every attempt.
   */
  getDelivery(idOrDeliveryId: number | string): DeliveryDetail | undefined {
    return guardJournal(() => {
      const s = this.#statements;
      const key = String(idOrDeliveryId).trim();
      let row = /^\d+$/.test(key) ? s.deliveryById.get(Number(key)) : undefined;
      row ??= typeof idOrDeliveryId === "number" ? undefined : s.deliveryByDeliveryId.get(key);
      if (row === undefined) return undefined;
      const dispatchRows = s.dispatchesOf.all(JSON.stringify([row.id]));
      const attempts = new Map<number, AttemptRecord[]>();
      for (const attempt of s.attemptsOf.all(row.id)) {
        const list = attempts.get(attempt.dispatch) ?? [];
        list.push(toAttemptRecord(attempt));
        attempts.set(attempt.dispatch, list);
      }
      return {
        ...toSummary(row),
        remoteAddress: row.remote_address,
        headers: JSON.parse(row.headers) as Record<string, string | string[]>,
        payload: row.payload,
        trace: JSON.parse(row.trace) as TraceLine[],
        dispatches: dispatchRows.map((dispatch) => toDispatchDetail(dispatch, attempts.get(dispatch.id) ?? [])),
      };
    });
  }

  /**
   * Retention: deletes deliveries received more than `olderThanMs` ago whose jobs are all settled
   * (done or failed), with their dispatches and attempts. Returns how many deliveries went.
   */
  prune(olderThanMs: number): number {
    return guardJournal(() => this.#statements.prune.run({ cutoff: this.#now() - olderThanMs }).changes);
  }

  /** Closes the database; the WAL is checkpointed into the main file. */
  close(): void {
    // Deliveries waiting for the end of the turn are committed (or refused) first.
    this.#deliveryBatch.flush();
    if (this.#db.open) this.#db.close();
    if (this.#walFd !== undefined) closeSync(this.#walFd);
    this.#walFd = undefined;
  }
}

function prepareStatements(db: BetterSqlite3.Database) {
  return {
    findDelivery: db.prepare<[string, string], DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries d WHERE d.forge = ? AND d.delivery_id = ?`,
    ),
    deliveryById: db.prepare<[number], DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM deliveries d WHERE d.id = ?`),
    deliveryByDeliveryId: db.prepare<[string], DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries d WHERE d.delivery_id = ? ORDER BY d.received_at DESC, d.id DESC LIMIT 1`,
    ),
    insertDelivery: db.prepare<[Record<string, unknown>]>(`
      INSERT INTO deliveries (forge, delivery_id, received_at, forge_event, kind, action, repo, ref, sender,
        remote_address, headers, payload, status, note, trace)
      VALUES (@forge, @delivery_id, @received_at, @forge_event, @kind, @action, @repo, @ref, @sender,
        @remote_address, @headers, @payload, @status, @note, @trace)`),
    updateDelivery: db.prepare<[Record<string, unknown>]>(`
      UPDATE deliveries SET received_at = @received_at, forge_event = @forge_event, kind = @kind, action = @action,
        repo = @repo, ref = @ref, sender = @sender, remote_address = @remote_address, headers = @headers,
        payload = @payload, status = @status, note = @note, trace = @trace
      WHERE id = @id AND forge = @forge AND delivery_id = @delivery_id`),
    updateRouting: db.prepare<[{ id: number; trace: string; queued: number }]>(`
      UPDATE deliveries SET trace = @trace, status = CASE WHEN @queued = 1 THEN 'queued' ELSE status END
      WHERE id = @id`),
    insertDispatch: db.prepare<[{ delivery: number; job: string; params: string; host: string; reason: string; now: number }]>(`
      INSERT INTO dispatches (delivery, job, params, host, reason, status, attempts, next_attempt_at, created_at, updated_at)
      VALUES (@delivery, @job, @params, @host, @reason, 'pending', 0, @now, @now, @now)`),
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
        updated_at = @now
      WHERE id = @id`),
    releaseRunning: db.prepare<[{ now: number }]>(`
      UPDATE dispatches SET status = 'pending', next_attempt_at = MIN(next_attempt_at, @now), updated_at = @now,
        last_error = 'laminar-hooks stopped during an attempt; whether laminarc reached Laminar is unknown'
      WHERE status = 'running'`),
    retryFailed: db.prepare<[{ now: number; delivery: number | null }]>(`
      UPDATE dispatches SET status = 'pending', attempts = 0, next_attempt_at = @now, updated_at = @now
      WHERE status = 'failed' AND (@delivery IS NULL OR delivery = @delivery)`),
    nextDueTime: db.prepare<[], number | null>(`SELECT MIN(next_attempt_at) FROM dispatches WHERE status = 'pending'`).pluck(),
    pendingCount: db.prepare<[], number>(`SELECT COUNT(*) FROM dispatches WHERE status = 'pending'`).pluck(),
    listDeliveries: db.prepare<[{ status: string | null; limit: number }], DeliveryRow>(`
      SELECT * FROM (SELECT ${DELIVERY_COLUMNS} FROM deliveries d ORDER BY d.received_at DESC, d.id DESC)
      WHERE @status IS NULL OR derived_status = @status
      ORDER BY received_at DESC, id DESC
      LIMIT @limit`),
    dispatchesOf: db.prepare<[string], DispatchRow>(
      `SELECT * FROM dispatches WHERE delivery IN (SELECT value FROM json_each(?)) ORDER BY id`,
    ),
    attemptsOf: db.prepare<[number], AttemptRow>(`
      SELECT a.* FROM attempts a JOIN dispatches x ON x.id = a.dispatch WHERE x.delivery = ? ORDER BY a.id`),
    room: db.prepare<[], { pages: number; free: number; max: number }>(`
      SELECT p.page_count AS pages, f.freelist_count AS free, m.max_page_count AS max
      FROM pragma_page_count() p, pragma_freelist_count() f, pragma_max_page_count() m`),
    heartbeat: db.prepare<[number]>(`INSERT INTO heartbeat (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`),
    prune: db.prepare<[{ cutoff: number }]>(`
      DELETE FROM deliveries
      WHERE received_at < @cutoff
        AND NOT EXISTS (SELECT 1 FROM dispatches x WHERE x.delivery = deliveries.id AND x.status IN ('pending', 'running'))
        AND NOT EXISTS (SELECT 1 FROM dispatches x JOIN runs r ON r.dispatch = x.id
                        WHERE x.delivery = deliveries.id AND r.state IN ('queued', 'running'))`),
  };
}

function toSummary(row: DeliveryRow): DeliverySummary {
  return {
    id: row.id,
    forge: row.forge as ForgeName,
    deliveryId: row.delivery_id,
    receivedAt: row.received_at,
    forgeEvent: row.forge_event,
    kind: row.kind,
    action: row.action,
    repo: row.repo,
    ref: row.ref,
    sender: row.sender,
    status: row.derived_status,
    note: row.note,
    dispatchCount: row.dispatch_count,
  };
}

function toDispatchSummary(row: DispatchRow): DispatchSummary {
  return { id: row.id, job: row.job, status: row.status, run: row.run, attempts: row.attempts, lastError: row.last_error };
}

function toDispatchDetail(row: DispatchRow, attemptLog: AttemptRecord[]): DispatchDetail {
  return {
    ...toDispatchSummary(row),
    params: parseParams(row.params),
    host: row.host,
    reason: row.reason,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    attemptLog,
  };
}

function toAttemptRecord(row: AttemptRow): AttemptRecord {
  return {
    id: row.id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    exitCode: row.exit_code,
    signal: row.signal,
    outcome: row.outcome,
    stdout: row.stdout,
    stderr: row.stderr,
    message: row.message,
  };
}

function parseParams(text: string): Record<string, string> {
  return JSON.parse(text) as Record<string, string>;
}

function clip(output: string): string {
  return output.length <= MAX_STORED_OUTPUT ? output : `${output.slice(0, MAX_STORED_OUTPUT)}\n[… ${output.length - MAX_STORED_OUTPUT} more characters]`;
}
