// The journal's rows as SQLite gives them, and their mapping to the types of journal-types.ts:
// the one place that knows both the column names and the shapes the rest of the code sees.

import type { ForgeName } from "../types.ts";
import type {
  AttemptRecord,
  AttemptRecordOutcome,
  DeliveryStatus,
  DeliverySummary,
  DispatchDetail,
  DispatchStatus,
  DispatchSummary,
} from "./journal-types.ts";

export interface DeliveryRow {
  id: number;
  forge: string;
  delivery_id: string;
  received_at: number;
  forge_event: string;
  kind: string;
  action: string | null;
  repo: string | null;
  ref: string | null;
  sender: string | null;
  remote_address: string | null;
  secret_index: number | null;
  headers: string;
  payload: string;
  note: string | null;
  trace: string;
  dispatch_count: number;
  derived_status: DeliveryStatus;
}

export interface DispatchRow {
  id: number;
  delivery: number;
  job: string;
  params: string;
  host: string;
  reason: string;
  status: DispatchStatus;
  attempts: number;
  next_attempt_at: number;
  run: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  doubt_since: number | null;
}

/** The columns toSummary reads: what a list shows, without the heavy payload and headers. */
export type SummaryRow = Omit<DeliveryRow, "remote_address" | "secret_index" | "headers" | "payload" | "trace">;

/** The columns toDispatchSummary reads. */
export type DispatchSummaryRow = Pick<DispatchRow, "id" | "job" | "status" | "run" | "attempts" | "last_error">;

export interface AttemptRow {
  id: number;
  dispatch: number;
  started_at: number;
  finished_at: number;
  duration_ms: number;
  exit_code: number | null;
  signal: string | null;
  outcome: AttemptRecordOutcome;
  stdout: string;
  stderr: string;
  message: string | null;
}

/**
 * The columns of a DeliveryRow, for `SELECT … FROM deliveries d`. A delivery's status is derived
 * from its dispatches (journal-types.ts), never stored: it could only go stale.
 */
export const DERIVED_STATUS = `
  (SELECT COUNT(*) FROM dispatches x WHERE x.delivery = d.id) AS dispatch_count,
  CASE
    WHEN NOT EXISTS (SELECT 1 FROM dispatches x WHERE x.delivery = d.id) THEN 'ignored'
    WHEN EXISTS (SELECT 1 FROM dispatches x WHERE x.delivery = d.id AND x.status IN ('pending', 'running')) THEN 'queued'
    WHEN EXISTS (SELECT 1 FROM dispatches x JOIN runs r ON r.dispatch = x.id
                 WHERE x.delivery = d.id AND r.state IN ('queued', 'running')) THEN 'queued'
    WHEN EXISTS (SELECT 1 FROM dispatches x WHERE x.delivery = d.id AND x.status = 'failed') THEN 'failed'
    ELSE 'done'
  END AS derived_status`;
export const DELIVERY_COLUMNS = `d.*, ${DERIVED_STATUS}`;

export function toSummary(row: SummaryRow): DeliverySummary {
  return {
    id: row.id,
    forge: row.forge as ForgeName,
    deliveryId: row.delivery_id,
    receivedAt: row.received_at,
    forgeEvent: row.forge_event,
    kind: row.kind,
    action: row.action,
    repo: row.repo,
    ref: row.ref,
    sender: row.sender,
    status: row.derived_status,
    note: row.note,
    dispatchCount: row.dispatch_count,
  };
}

export function toDispatchSummary(row: DispatchSummaryRow): DispatchSummary {
  return { id: row.id, job: row.job, status: row.status, run: row.run, attempts: row.attempts, lastError: row.last_error };
}

export function toDispatchDetail(row: DispatchRow, attemptLog: AttemptRecord[]): DispatchDetail {
  return {
    ...toDispatchSummary(row),
    params: parseParams(row.params),
    host: row.host,
    reason: row.reason,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    attemptLog,
  };
}

export function toAttemptRecord(row: AttemptRow): AttemptRecord {
  return {
    id: row.id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    exitCode: row.exit_code,
    signal: row.signal,
    outcome: row.outcome,
    stdout: row.stdout,
    stderr: row.stderr,
    message: row.message,
  };
}

/** A dispatch's parameters, stored as the JSON text of a string map. */
export function parseParams(text: string): Record<string, string> {
  return JSON.parse(text) as Record<string, string>;
}
