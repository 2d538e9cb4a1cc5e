export { openJournal, type OpenJournalOptions } from "./open-journal.ts";
export { openJournalReadOnly } from "./open-journal-read-only.ts";
export { Journal } from "./journal.ts";
export type { AttemptToRecord } from "./dispatch-queue.ts";
export { CatchUpStore } from "./catch-up-store.ts";
export { duplicateNote } from "./delivery-writes.ts";
export {
  DELIVERY_STATUSES,
  type AttemptRecord,
  type DeliveryDetail,
  type DeliveryInput,
  type DeliveryListItem,
  type DeliveryStatus,
  type DeliverySummary,
  type DispatchDetail,
  type DispatchStatus,
  type DispatchSummary,
  type RecordDeliveryResult,
} from "./journal-types.ts";
export type { DeliveriesPage, DeliveriesPageQuery, ListedDelivery, PageCursor } from "./deliveries-page.ts";
export type { EarlierDelivery, PushedHead } from "./catch-up-heads.ts";
export type { RunRecord } from "./runs.ts";
export type { ActionResult, Actor, OpenDispatch, PageActionKind, PageActionRecord, RunAbortRecord } from "./page-actions.ts";
export { PageActions } from "./page-actions.ts";
export type { RepoSecretUse } from "./delivery-reads.ts";
