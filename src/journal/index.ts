export { openJournal, type OpenJournalOptions } from "./open-journal.ts";
export { Journal, type JournalOptions } from "./journal.ts";
export type { AttemptToRecord } from "./dispatch-queue.ts";
export type { PruneOptions } from "./prune.ts";
export type { Fdatasync } from "./wal-sync.ts";
export { filterHeaders } from "./filter-headers.ts";
export { guardJournal, isStorageError } from "./journal-error.ts";
export { migrate, MIGRATIONS } from "./migrations.ts";
export type * from "./journal-types.ts";
