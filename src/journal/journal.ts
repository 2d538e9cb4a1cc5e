// The journal's one way in: each concern (delivery writes and reads, the dispatch queue, the
// writability probe, pruning, the WAL sync) lives in its own file and is prepared on the shared
// connection here. A new concern is a new file with its `prepare…(db, now)` and a migration
// (migrations.ts), wired in below; every SQLite failure is turned into JournalUnavailableError here.

import type BetterSqlite3 from "better-sqlite3";
import type { ForgeName, JobRequest, TraceLine } from "../types.ts";
import { prepareDeliveryReads, type DeliveryReads, type RepoSecretUse, type SecretUse } from "./delivery-reads.ts";
import { prepareDeliveryWrites, type DeliveryWrites } from "./delivery-writes.ts";
import { prepareDispatchQueue, type AttemptRecordedHook, type AttemptToRecord, type DispatchQueue } from "./dispatch-queue.ts";
import { CatchUpStore } from "./catch-up-store.ts";
import { StatusOutbox } from "./status-outbox.ts";
import { PageActions } from "./page-actions.ts";
import { readRuns, RunJournal, type RunRecord } from "./runs.ts";
import type { RunStateChange } from "./run-state.ts";
import { GroupCommit } from "./group-commit.ts";
import { guardJournal } from "./journal-error.ts";
import type {
  ClaimedDispatch,
  DeliveryDetail,
  DeliveryInput,
  DeliveryListItem,
  DeliveryStatus,
  DeliverySummary,
  RecordDeliveryResult,
} from "./journal-types.ts";
import { readDeliveriesPage, type DeliveriesPage, type DeliveriesPageQuery } from "./deliveries-page.ts";
import { migrate } from "./migrations.ts";
import { prepareDeletePrunable, pruneInChunks, type DeletePrunable, type PruneOptions } from "./prune.ts";
import { WalSync, type Fdatasync } from "./wal-sync.ts";
import { prepareWritabilityProbe } from "./writability-probe.ts";

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
  /** The WAL's sync with syncInBackground; tests hold it to see that nothing answers before it. */
  fdatasync?: Fdatasync;
  /**
   * Opened by a command that only reads (open-journal-read-only.ts): the schema is left as it is,
   * never migrated under the service that owns the journal.
   */
  readOnly?: boolean;
}

/**
 * The durable record of deliveries, their dispatches (one per job) and every laminarc attempt.
 * Every write is one transaction. A delivery counts as kept (commitDelivery resolves) only once it
 * is on disk: SQLite syncs at each commit under `synchronous = FULL`, and with syncInBackground
 * the journal syncs the WAL before it answers. Storage failures are JournalUnavailableError.
 */
export class Journal {
  readonly #db: BetterSqlite3.Database;
  readonly #now: () => number;
  readonly #reads: DeliveryReads;
  readonly #deliveries: DeliveryWrites;
  readonly #queue: DispatchQueue;
  readonly #isWritable: () => boolean;
  readonly #deletePrunable: DeletePrunable;
  readonly #walSync: WalSync | undefined;
  readonly #deliveryBatch: GroupCommit<DeliveryInput, RecordDeliveryResult>;
  /** Catch-up's own records: what each poll saw, the redeliveries asked (catch-up-store.ts). */
  readonly catchUp: CatchUpStore;
  /** Commit statuses waiting to be posted, and those posted (status-outbox.ts). */
  readonly statusOutbox: StatusOutbox;
  /** What people did from the deliveries page, and the aborts waiting for a run (page-actions.ts). */
  readonly actions: PageActions;

  /** Wraps an open database, bringing its schema up to date; openJournal is the usual way in. */
  constructor(db: BetterSqlite3.Database, options: JournalOptions = {}) {
    this.#db = db;
    const now = options.now ?? Date.now;
    this.#now = now;
    guardJournal(() => {
      db.pragma("foreign_keys = ON");
      if (options.readOnly !== true) migrate(db);
    });
    this.#reads = guardJournal(() => prepareDeliveryReads(db));
    this.#deliveries = guardJournal(() => prepareDeliveryWrites(db, now, this.#reads.findDelivery));
    this.#queue = guardJournal(() => prepareDispatchQueue(db, now));
    this.#isWritable = guardJournal(() => prepareWritabilityProbe(db, now));
    this.#deletePrunable = guardJournal(() => prepareDeletePrunable(db));
    this.catchUp = new CatchUpStore(db);
    this.statusOutbox = new StatusOutbox(db);
    this.actions = guardJournal(() => new PageActions(db));
    this.#walSync = options.syncInBackground === true && !db.memory ? new WalSync(db.name, options.fdatasync) : undefined;
    const walSync = this.#walSync;
    this.#deliveryBatch = new GroupCommit(
      (inputs) => guardJournal(() => this.#deliveries.recordBatch(inputs)),
      walSync === undefined ? undefined : () => walSync.sync(),
    );
  }

  /**
   * Sets the hook told of each attempt recorded, inside its transaction: what it writes commits or
   * rolls back with the attempt (the run laminarc queued, and what listeners of run states write).
   */
  onAttemptRecorded(hook: AttemptRecordedHook | undefined): void {
    this.#queue.onAttemptRecorded(hook);
  }

  /** Runs of dispatches as the follower records them, on this connection; `emit` is told inside each change's transaction. */
  runJournal(emit: (change: RunStateChange) => void): RunJournal {
    return guardJournal(() => new RunJournal(this.#db, { emit, now: this.#now }));
  }

  /** `show`, `deliveries` and the page: each dispatch's runs, oldest first. */
  runsOf(dispatchIds: readonly number[]): Map<number, RunRecord[]> {
    return guardJournal(() => readRuns(this.#db, dispatchIds));
  }

  /** The de-duplication check: a delivery already journaled under this forge's delivery id. */
  findDelivery(forge: ForgeName, deliveryId: string): DeliverySummary | undefined {
    return guardJournal(() => this.#reads.findDelivery(forge, deliveryId));
  }

  /**
   * Keeps a delivery and one pending dispatch per job. Every delivery committed during this turn of
   * the event loop shares one transaction (group commit), committed when the turn ends. A delivery
   * id seen before with jobs is a duplicate and changes nothing; one seen before without jobs is
   * routed again with this input. Resolves once it is on disk; rejects (JournalUnavailableError)
   * when it is not kept.
   */
  commitDelivery(input: DeliveryInput): Promise<RecordDeliveryResult> {
    return this.#deliveryBatch.add(input);
  }

  /** `redeliver`: new dispatches for a delivery already kept, routed again from its payload. */
  addDispatches(deliveryId: number, jobs: readonly JobRequest[], trace: readonly TraceLine[]): number[] {
    return guardJournal(() => this.#deliveries.addDispatches(deliveryId, jobs, trace));
  }

  /** For /readyz: whether a delivery could be kept now (room, free disk, a real write). */
  isWritable(): boolean {
    return this.#isWritable();
  }

  /** Marks up to `limit` due pending dispatches running and counts the attempt, atomically. */
  claimDue(now: number, limit: number): ClaimedDispatch[] {
    return guardJournal(() => this.#queue.claimDue(now, limit));
  }

  /**
   * Logs each attempt with laminarc's output and moves its dispatch on, all in one transaction:
   * undefined for each one kept, its error for one that was not. Throws when the commit fails:
   * then none of them is kept.
   */
  recordAttempts(items: readonly AttemptToRecord[]): (Error | undefined)[] {
    const results = guardJournal(() => this.#queue.recordAttempts(items));
    // Nobody waits for it, but a done dispatch must not turn pending again after a power loss
    // (and run twice) for longer than one sync takes.
    if (items.length > 0) this.#walSync?.sync().catch(() => {});
    return results;
  }

  /**
   * At start-up: dispatches left running were in flight when the service died. Their attempt
   * stays counted (it may have reached laminard); they are due again now. Returns how many.
   */
  releaseRunning(): number {
    return guardJournal(() => this.#queue.releaseRunning());
  }

  /**
   * `redeliver --failed`: failed dispatches (of one delivery, or all) become pending again with a
   * fresh retry budget, after an outage that outlasted the retries or once a missing job exists.
   * The same dispatch rows, so the jobs that did get queued are not queued again.
   */
  retryFailed(deliveryId?: number): number {
    return guardJournal(() => this.#queue.retryFailed(deliveryId));
  }

  /** When the earliest pending dispatch is due (ms), or null when none is pending. */
  nextDueTime(): number | null {
    return guardJournal(() => this.#queue.nextDueTime());
  }

  /** Dispatches waiting for an attempt (not counting those running now). */
  pendingCount(): number {
    return guardJournal(() => this.#queue.pendingCount());
  }

  /** `deliveries`: newest first, each with its jobs, their status and Laminar run. */
  listDeliveries(options: { limit?: number; status?: DeliveryStatus } = {}): DeliveryListItem[] {
    return guardJournal(() => this.#reads.listDeliveries(options));
  }

  /** The deliveries page: one filtered page of deliveries (src/journal/deliveries-page.ts). */
  deliveriesPage(query: DeliveriesPageQuery): DeliveriesPage {
    return guardJournal(() => readDeliveriesPage(this.#db, query));
  }

  /**
   * `show` and `redeliver`: one delivery by the journal's id (a number, or digits) or else by the
   * forge's delivery id, with its headers, trace, payload, dispatches and every attempt.
   */
  getDelivery(idOrDeliveryId: number | string): DeliveryDetail | undefined {
    return guardJournal(() => this.#reads.getDelivery(idOrDeliveryId));
  }

  /**
   * `doctor` and `rotate-secret --finish`: per position in a repository's secret list, when a
   * delivery last verified with it (and how many did), so "the old secret is unused" can be said.
   */
  secretUses(forge: ForgeName, repo: string): SecretUse[] {
    return guardJournal(() => this.#reads.secretUses(forge, repo));
  }

  /** The same per repository the forge's deliveries name, for `doctor` to tell a repository's list from its forge's. */
  secretUsesByRepo(forge: ForgeName): RepoSecretUse[] {
    return guardJournal(() => this.#reads.secretUsesByRepo(forge));
  }

  /**
   * Retention: deletes deliveries received more than `olderThanMs` ago whose jobs are all settled
   * (done or failed), with their dispatches and attempts, in chunks with a turn of the event loop
   * between two. Resolves to how many deliveries went; stops early when the journal closes.
   */
  prune(olderThanMs: number, options: PruneOptions = {}): Promise<number> {
    const cutoff = this.#now() - olderThanMs;
    return pruneInChunks((limit) => guardJournal(() => this.#deletePrunable(cutoff, limit)), () => !this.#db.open, options);
  }

  /**
   * Commits what waits for the end of the turn, closes the database (the WAL is checkpointed into
   * the main file) and resolves once every sync already asked for is done.
   */
  async close(): Promise<void> {
    this.#deliveryBatch.flush();
    try {
      if (this.#db.open) this.#db.close();
    } finally {
      await this.#walSync?.close();
    }
  }
}
