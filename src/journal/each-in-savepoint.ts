import type BetterSqlite3 from "better-sqlite3";
import { guardJournal } from "./journal-error.ts";

/**
 * Runs one write per item inside the caller's transaction (group commit: one fsync for them all).
 * Each write is a nested better-sqlite3 transaction, that is a savepoint, so one that fails is
 * rolled back alone and reported as its own Error, in order.
 */
export function eachInSavepoint<I, O>(db: BetterSqlite3.Database, items: readonly I[], write: (item: I) => O): (O | Error)[] {
  return items.map((item) => {
    try {
      return guardJournal(() => write(item));
    } catch (error) {
      // Some failures (SQLITE_FULL, SQLITE_IOERR) roll back the whole transaction: then nothing
      // of the batch is kept, and the caller must hear so.
      if (!db.inTransaction) throw error;
      return error instanceof Error ? error : new Error(String(error));
    }
  });
}
