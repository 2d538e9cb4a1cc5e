export { openJournal, type OpenJournalOptions } from "./open-journal.ts";
export { Journal, type AttemptRecordedHook, type AttemptToRecord, type JournalOptions } from "./journal.ts";
export { filterHeaders } from "./filter-headers.ts";
export { guardJournal, isStorageError } from "./journal-error.ts";
export { migrate, MIGRATIONS } from "./migrations.ts";
export type * from "./journal-types.ts";
