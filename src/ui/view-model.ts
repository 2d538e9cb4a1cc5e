// What the deliveries page shows, as plain data: built from the journal's records by
// build-views.ts, rendered by list-page.ts and detail-page.ts. Runs, commit statuses and catch-up's
// mark are optional: absent until laminard is followed, a token is set, or catch-up brings a push.

import type { DeliveryStatus, DispatchStatus } from "../journal/index.ts";
import type { StoredRunState } from "../journal/runs.ts";
import type { StatusPostStatus } from "../journal/status-outbox.ts";
import type { TraceLine } from "../types.ts";

/** A Laminar run, `job:42`, with a link to Laminar's page of it when `laminar.base_url` is known. */
export interface RunView {
  label: string;
  url?: string;
}

/** One Laminar run of a dispatch, followed through laminard's event stream, as `show` gives it. */
export interface RunStateView {
  run: RunView;
  state: StoredRunState;
  /** `success`, or `lost → job:43`, as `deliveries` and `show` say it. */
  label: string;
  /** `queued …, started …, completed … UTC (1m 3s)`, as `show` says it. */
  times: string;
  /** How long the run took, once it has a result. */
  durationMs?: number;
  /** Why a run was lost, and what happened next. */
  note?: string;
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
  /** Where the post stands: posted, pending (to be retried), refused (the forge said no), failed… */
  delivery: StatusPostStatus;
  /** ` after 3 attempts, next attempt … UTC`, as `show` says it. */
  progress?: string;
  /** The forge's answer (`422 No commit found for SHA`), as `show` says it. */
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
  /** The runs it became, oldest first: one, or a lost one and the run queued instead. */
  runs?: readonly RunStateView[];
  /** On the list: the latest post per context; on the detail page: every post, oldest first. */
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
  /** Brought by catch-up: a push found by polling the remote, or one the forge was asked to send again. */
  foundBy?: "poll" | "redelivered";
  jobs: readonly JobView[];
}

/** One laminarc attempt, with the line `show` prints for it. */
interface AttemptView {
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
