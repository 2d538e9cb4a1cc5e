import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { JournalUnavailableError } from "../errors.ts";
import { Journal, type JournalOptions } from "./journal.ts";

/** How the database connection is set up, besides the Journal's own options. */
export interface OpenJournalOptions extends JournalOptions {
  /** How long a write waits for another connection's lock (`redeliver` from the CLI) before failing. */
  busyTimeoutMs?: number;
  /**
   * Opens the SQLite connection (default: better-sqlite3 on the path). Tests keep the connection
   * to cap its size (`max_page_count`), which gives the SQLITE_FULL of a full disk.
   */
  connect?: (path: string) => Database.Database;
}

/**
 * Opens (creating folder and file on first start) the SQLite journal: WAL so readers never block
 * the writer; `synchronous = FULL` so that a commit is on disk when it returns, or, with
 * syncInBackground, `NORMAL` with the journal syncing the WAL itself before it answers; a busy
 * timeout for the CLI writing at the same time; and the schema brought up to date. Any failure is
 * a JournalUnavailableError that names the path.
 */
export function openJournal(path: string, options: OpenJournalOptions = {}): Journal {
  let db: Database.Database | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = (options.connect ?? ((file: string) => new Database(file)))(path);
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    db.pragma("journal_mode = WAL");
    // SQLite buffers an UPDATE … RETURNING (the dispatcher's claim) in a temporary table: in memory
    // the claim takes ~60 µs instead of ~145. Nothing large goes there: the journal's queries read
    // in index order, without sorting.
    db.pragma("temp_store = MEMORY");
    // In WAL mode NORMAL may lose the last commits on power loss; FULL syncs the WAL on each one.
    // With syncInBackground the journal syncs the WAL itself before a delivery counts as kept.
    db.pragma(options.syncInBackground === true ? "synchronous = NORMAL" : "synchronous = FULL");
    return new Journal(db, options);
  } catch (error) {
    db?.close();
    const failure = new JournalUnavailableError(error);
    failure.message = `the journal ${path} cannot be opened: ${error instanceof Error ? error.message : String(error)}`;
    throw failure;
  }
}
