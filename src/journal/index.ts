export { openJournal, type OpenJournalOptions } from "./open-journal.ts";
export { Journal, type AttemptToRecord, type JournalOptions } from "./journal.ts";
export { CatchUpStore, type AskedRedelivery, type PolledState, type StoredHead } from "./catch-up-store.ts";
export { filterHeaders } from "./filter-headers.ts";
export { guardJournal, isStorageError } from "./journal-error.ts";
export { migrate, MIGRATIONS } from "./migrations.ts";
export type * from "./journal-types.ts";
export type { EarlierDelivery, PushedHead } from "./catch-up-heads.ts";
