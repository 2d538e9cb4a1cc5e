// What the deliveries page shows, as plain data: built from the journal's records by
// build-views.ts, rendered by list-page.ts and detail-page.ts. Fields the journal cannot fill yet
// (run states as runs are followed, commit statuses) are optional here and rendered when present,
// so that feeding them in touches only build-views.ts.

import type { DeliveryStatus, DispatchStatus } from "../journal/index.ts";
import type { RunState } from "../journal/run-state.ts";
import type { TraceLine } from "../types.ts";

/** A Laminar run, `job:42`, with a link to Laminar's page of it when `laminar.base_url` is known. */
export interface RunView {
  label: string;
  url?: string;
}

/** A run's state as it is followed through laminard's event stream. */
export interface RunStateView {
  state: RunState;
  /** ms since the epoch, of the latest change. */
  at: number;
  /** How long the run took, once it has a result. */
  durationMs?: number;
  /** laminarc's message for `error`; for `lost`, what happened next. */
  reason?: string;
  /** The run that replaced a lost one (`job:43`). */
  requeuedAs?: RunView;
}

/** One commit status posted (or to be posted) to the forge for a dispatch's commit. */
export interface CommitStatusView {
  context: string;
  /** The state as sent to the forge: pending, running, success, failure, error, canceled… */
  state: string;
  description?: string;
  targetUrl?: string;
  /** ms since the epoch: when it was posted, or last tried. */
  at?: number;
  /** posted: the forge took it; waiting: in the outbox, to be (re)tried; refused: the forge said no. */
  delivery: "posted" | "waiting" | "refused";
  /** The forge's answer when it refused or failed (`422 No commit found for SHA`). */
  answer?: string;
}

/** One job of a delivery as the list shows it. */
export interface JobView {
  dispatchId: number;
  job: string;
  status: DispatchStatus;
  run?: RunView;
  attempts: number;
  /** Why the last attempt failed; shown in red on a failed job. */
  lastError?: string;
  runState?: RunStateView;
  statuses?: readonly CommitStatusView[];
}

/** One row of the list. */
export interface DeliveryRowView {
  id: number;
  receivedAt: number;
  forge: string;
  /** `push`, `pull_request/opened`. */
  event: string;
  repo?: string;
  /** The ref as given; the page shortens `refs/heads/` and `refs/tags/`. */
  ref?: string;
  /** The commit built (the `rev` given to laminarc), when a job was queued for one. */
  commit?: string;
  status: DeliveryStatus;
  note?: string;
  jobs: readonly JobView[];
}

/** One laminarc attempt, with the line `show` prints for it. */
export interface AttemptView {
  startedAt: number;
  outcome: string;
  /** `queued, exit 0, 18 ms: …` as `show` says it. */
  summary: string;
  failed: boolean;
  stdout: string;
  stderr: string;
}

/** One job of a delivery with everything `show` prints about it. */
export interface DispatchView extends JobView {
  /** `laminarc queue JOB "k=v"…` as it is run. */
  command: string;
  reason: string;
  /** When a pending job that failed before is tried again. */
  nextAttemptAt?: number;
  attemptLog: readonly AttemptView[];
}

/** The detail page: one delivery. */
export interface DeliveryDetailView extends DeliveryRowView {
  deliveryId: string;
  forgeEvent: string;
  sender?: string;
  remoteAddress?: string;
  headers: readonly (readonly [string, string])[];
  /** Matched jobs first, each with the sentence saying why it matched or not. */
  trace: readonly TraceLine[];
  dispatches: readonly DispatchView[];
}
