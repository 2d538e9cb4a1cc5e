// What the journal takes and gives back. Rows are turned into these at its edge; nothing outside
// src/journal sees SQL column names or JSON text.

import type { ForgeName, Headers, JobRequest, TraceLine } from "../types.ts";
import type { EarlierDelivery, PushedHead } from "./catch-up-heads.ts";

/**
 * What a person asks for: `ignored` (matched nothing), `queued` (some job still pending or
 * running), `done` (every job queued in Laminar), `failed` (every job settled, one or more failed).
 */
export const DELIVERY_STATUSES = ["ignored", "queued", "done", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** One job's progress: claimed dispatches are `running` until their attempt is recorded. */
export type DispatchStatus = "pending" | "running" | "done" | "failed";
/** An attempt ends as its AttemptOutcome, or `canceled` when the service stopped during it. */
export type AttemptRecordOutcome = "queued" | "retry" | "permanent" | "canceled";

/** One verified delivery and its routing, as the HTTP layer journals it. */
export interface DeliveryInput {
  forge: ForgeName;
  deliveryId: string;
  /** ms since the epoch */
  receivedAt: number;
  forgeEvent: string;
  kind: string;
  action?: string;
  repo?: string;
  ref?: string;
  sender?: string;
  remoteAddress?: string;
  /** Which of the repository's (or forge's) secrets verified it: its position in the config's list, never its value. */
  secretIndex?: number;
  /** Headers worth keeping; signature, token and authorization headers are dropped anyway. */
  headers: Headers;
  /** The JSON text of the payload, so that `redeliver` can route it again. */
  payload: string;
  note?: string;
  trace: readonly TraceLine[];
  jobs: readonly JobRequest[];
  /** The head a push or tag brought (not a deletion): a webhook and a poll of one push build once. */
  head?: PushedHead;
}

export interface RecordDeliveryResult {
  /** The journal's id of the delivery. */
  id: number;
  /** The same delivery was journaled before with jobs: nothing was changed or queued. */
  duplicate: boolean;
  /** The same delivery was journaled before without jobs and was routed again now. */
  rerouted: boolean;
  /** The dispatches created, one per job, in the order of the jobs. */
  dispatchIds: number[];
  /**
   * Another delivery brought this push first and built it (another hook, a forge's Replay or test
   * delivery, a body sent again under a new id, a poll): nothing was queued. A webhook is still
   * kept (without jobs, its note naming that delivery); a polled push is not kept at all.
   */
  duplicateOf?: EarlierDelivery;
}

/** A delivery as `findDelivery` and `listDeliveries` give it. */
export interface DeliverySummary {
  id: number;
  forge: ForgeName;
  deliveryId: string;
  receivedAt: number;
  forgeEvent: string;
  kind: string;
  action: string | null;
  repo: string | null;
  ref: string | null;
  sender: string | null;
  status: DeliveryStatus;
  note: string | null;
  dispatchCount: number;
}

/** One job of a delivery and how far it got. */
export interface DispatchSummary {
  id: number;
  job: string;
  status: DispatchStatus;
  /** `job:42` once Laminar queued it. */
  run: string | null;
  attempts: number;
  lastError: string | null;
}

/** One line of `deliveries`: a delivery and its jobs. */
export interface DeliveryListItem extends DeliverySummary {
  jobs: DispatchSummary[];
}

/** One laminarc attempt as `show` prints it, laminarc's output included. */
export interface AttemptRecord {
  id: number;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  exitCode: number | null;
  signal: string | null;
  outcome: AttemptRecordOutcome;
  stdout: string;
  stderr: string;
  message: string | null;
}

/** One job of a delivery with its parameters and every attempt, for `show`. */
export interface DispatchDetail extends DispatchSummary {
  params: Record<string, string>;
  host: string;
  reason: string;
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
  attemptLog: AttemptRecord[];
}

/** Everything `show` prints about one delivery. */
export interface DeliveryDetail extends DeliverySummary {
  remoteAddress: string | null;
  /** Which secret verified it, by its position in the config's list; null when none was checked. */
  secretIndex?: number | null;
  headers: Record<string, string | string[]>;
  payload: string;
  trace: TraceLine[];
  dispatches: DispatchDetail[];
}

/** A dispatch the dispatcher has claimed for one attempt. */
export interface ClaimedDispatch {
  id: number;
  /** The journal id of its delivery. */
  deliveryId: number;
  /** This attempt's number, the first being 1. */
  attempt: number;
  request: JobRequest;
  /**
   * An earlier attempt's outcome is unknown (laminard may have queued it): since when (ms, the
   * start of the earliest such attempt). laminard is asked before laminarc runs again.
   */
  doubtSince?: number;
}

/** Where a dispatch goes after an attempt. */
export interface NextState {
  status: Exclude<DispatchStatus, "running">;
  /** When a `pending` dispatch is due again; default: now. */
  nextAttemptAt?: number;
  /** The attempt was cut short by a shutdown: kept in the log, not counted as an attempt. */
  canceled?: boolean;
  /** Overrides the outcome's message as the dispatch's last error (`gave up after 10 attempts: …`). */
  error?: string;
  /**
   * The dispatch's doubt (ClaimedDispatch.doubtSince): `set` from this attempt's start (laminarc ran
   * and its outcome is unknown; an earlier doubt is kept), `keep` it (laminard could not be asked),
   * or `clear` it (the outcome is known). Default: clear.
   */
  doubt?: "set" | "keep" | "clear";
}
