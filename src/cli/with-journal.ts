import { existsSync } from "node:fs";
import { JournalNotReadableError, JournalUnavailableError } from "../errors.ts";
import { openJournal, openJournalReadOnly, type DeliveryDetail, type Journal } from "../journal/index.ts";
import type { Config } from "../types.ts";
import type { CommandIO } from "./io.ts";

/**
 * Opens the config's journal read-only for a command that only reads (`show`, `deliveries`) and
 * always closes it: a mistyped journal.path is "no journal at PATH", never a new empty journal, and
 * a journal of another schema is never migrated under the service. Exit 1 after saying why it
 * cannot be read.
 */
export async function readingJournal(config: Config, io: CommandIO, run: (journal: Journal) => number | Promise<number>): Promise<number> {
  let opened;
  try {
    opened = openJournalReadOnly(config.journal.path);
  } catch (error) {
    if (!(error instanceof JournalNotReadableError)) throw error;
    io.err(`${error.message} (journal.path in ${config.file})`);
    return 1;
  }
  if (opened.notice !== undefined) io.err(`note: ${opened.notice}`);
  return closing(opened.journal, config, io, run);
}

/**
 * Opens the config's journal for a command that writes to the service's journal (`redeliver`):
 * it must be there already, since a new empty one would hold nothing to redeliver.
 */
export async function writingJournal(config: Config, io: CommandIO, run: (journal: Journal) => number | Promise<number>): Promise<number> {
  if (!existsSync(config.journal.path)) {
    io.err(`no journal at ${config.journal.path} (journal.path in ${config.file})`);
    return 1;
  }
  let journal;
  try {
    journal = openJournal(config.journal.path);
  } catch (error) {
    if (!(error instanceof JournalUnavailableError)) throw error;
    io.err(error.message);
    return 1;
  }
  return closing(journal, config, io, run);
}

async function closing(journal: Journal, config: Config, io: CommandIO, run: (journal: Journal) => number | Promise<number>): Promise<number> {
  try {
    return await run(journal);
  } catch (error) {
    // The service may hold a lock past the busy timeout, or the disk fail, while the command runs.
    if (!(error instanceof JournalUnavailableError)) throw error;
    io.err(`the journal ${config.journal.path} cannot be read now: ${error.cause instanceof Error ? error.cause.message : String(error.cause)}`);
    return 1;
  } finally {
    await journal.close();
  }
}

/** The delivery `id` names (journal id or the forge's), or undefined after saying it is not there. */
export function findDelivery(journal: Journal, config: Config, id: string, io: CommandIO): DeliveryDetail | undefined {
  const detail = journal.getDelivery(id);
  if (!detail) io.err(`no delivery ${id} in the journal ${config.journal.path}`);
  return detail;
}
