import { closeSync, fdatasync, openSync } from "node:fs";
import { JournalUnavailableError } from "../errors.ts";

/** Flushes a file's data to the disk; the journal's tests pass one they can hold. */
export type Fdatasync = (fd: number) => Promise<void>;

const fdatasyncOnThreadPool: Fdatasync = (fd) =>
  new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));

/**
 * Makes the commits of a connection opened with `synchronous = NORMAL` durable, without the event
 * loop waiting for the disk: fdatasync runs on libuv's thread pool. In WAL mode a commit is
 * durable once the WAL is (SQLite syncs the database file itself at each checkpoint), and an
 * fdatasync of the file from any descriptor covers every write made to it before, so one sync
 * serves every commit made before it started.
 */
export class WalSync {
  readonly #walPath: string;
  readonly #fdatasync: Fdatasync;
  #fd: number | undefined;
  /** The sync running now, and the one to run after it for commits made meanwhile. */
  #syncing: Promise<void> | undefined;
  #nextSync: Promise<void> | undefined;
  #closed = false;

  constructor(databasePath: string, sync: Fdatasync = fdatasyncOnThreadPool) {
    this.#walPath = `${databasePath}-wal`;
    this.#fdatasync = sync;
  }

  /** Resolves once everything committed before this call is on disk; rejects with JournalUnavailableError. */
  sync(): Promise<void> {
    if (this.#closed) return Promise.reject(new JournalUnavailableError(new Error("the journal is closed")));
    if (this.#syncing === undefined) return this.#startSync();
    // A sync is running: it may have begun before the latest commit, so one more follows it.
    this.#nextSync ??= this.#syncing.then(() => this.#startSync(), () => this.#startSync());
    return this.#nextSync;
  }

  /**
   * Waits for every sync asked for so far (commits are waiting on them), then closes the WAL's
   * descriptor: closed under a running fdatasync, its number could be reused by another file.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (let pending = this.#nextSync ?? this.#syncing; pending !== undefined; pending = this.#nextSync ?? this.#syncing) {
      // Its failure is reported to the commits that wait for it.
      await pending.catch(() => {});
    }
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #startSync(): Promise<void> {
    this.#nextSync = undefined;
    const done = this.#syncOnce().finally(() => {
      if (this.#syncing === done) this.#syncing = undefined;
    });
    this.#syncing = done;
    return done;
  }

  async #syncOnce(): Promise<void> {
    try {
      this.#fd ??= openSync(this.#walPath, "r");
      await this.#fdatasync(this.#fd);
    } catch (error) {
      throw new JournalUnavailableError(error);
    }
  }
}
