// The journal as a command that only reads it sees it (`show`, `deliveries`, `catch-up --dry-run`,
// the coming `doctor`): opened read-only, never created, never migrated. The service keeps writing
// meanwhile; in WAL mode a reader sees the last commit without blocking it.

import { existsSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import { JournalNotReadableError } from "../errors.ts";
import { Journal } from "./journal.ts";
import { MIGRATIONS } from "./migrations.ts";

interface ReadOnlyJournal {
  journal: Journal;
  /** Said once, on stderr, when the journal's schema is newer than this CLI knows: what it shows may be partial. */
  notice?: string;
}

/**
 * Opens the journal at `path` for reading. A missing file is "no journal at PATH" (a mistyped
 * `journal.path` must not leave an empty journal behind, as opening it read-write did). A journal
 * of an older schema cannot be read by this version's queries and is left for the service to
 * migrate; one of a newer schema is read as far as this version understands it (migrations are
 * append-only: its tables are all still there), with a notice.
 */
export function openJournalReadOnly(path: string): ReadOnlyJournal {
  if (!existsSync(path)) throw new JournalNotReadableError(`no journal at ${path}`);
  if (statSync(path).isDirectory()) throw new JournalNotReadableError(`no journal at ${path}: it is a folder`);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    // The service's group commit holds the write lock for a moment; a reader in WAL mode only
    // waits when the service checkpoints or recovers the WAL.
    db.pragma("busy_timeout = 5000");
    const version = db.pragma("user_version", { simple: true }) as number;
    const known = MIGRATIONS.length;
    if (version === 0) {
      throw new JournalNotReadableError(`${path} is not a laminar-hooks journal (no schema in it): check journal.path`);
    }
    if (version < known) {
      throw new JournalNotReadableError(
        `the journal ${path} has schema version ${version}, older than this laminar-hooks reads (${known}): `
          + "the service of this version migrates it when it starts (restart it after the upgrade), or use the laminar-hooks that wrote it",
      );
    }
    const journal = new Journal(db, { readOnly: true });
    if (version === known) return { journal };
    return {
      journal,
      notice: `the journal ${path} has schema version ${version}, newer than this laminar-hooks knows (${known}): `
        + "showing what this version understands; use the laminar-hooks the service runs to see everything",
    };
  } catch (error) {
    db?.close();
    if (error instanceof JournalNotReadableError) throw error;
    throw new JournalNotReadableError(`the journal ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
