import Database from "better-sqlite3";
import { JournalUnavailableError } from "../errors.ts";

/**
 * Runs one journal operation and turns any SQLite failure (SQLITE_FULL, SQLITE_READONLY,
 * SQLITE_IOERR, SQLITE_BUSY, SQLITE_CANTOPEN, a closed connection, …) into the
 * JournalUnavailableError that the HTTP layer answers with 503. Other errors are bugs and pass.
 */
export function guardJournal<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    if (error instanceof JournalUnavailableError || !isStorageError(error)) throw error;
    throw new JournalUnavailableError(error);
  }
}

/** Whether an error comes from the database or the disk under it, rather than from a bug. */
function isStorageError(error: unknown): boolean {
  if (error instanceof Database.SqliteError) return true;
  // better-sqlite3 throws a TypeError on a connection that was closed (or never opened).
  return error instanceof TypeError && /database connection is not open/i.test(error.message);
}
