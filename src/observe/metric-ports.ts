// What the stages tell the metrics, as narrow ports: the HTTP layer and the status reporter count
// through these, and src/observe/metrics.ts fills them. They sit here, not with the stages, so that
// observe (which the stages import for logging) never imports a stage back.

import type { DeliveryObserver } from "../receive/commit-delivery.ts";
import type { ForgeName } from "../types.ts";

export interface HookObserver extends DeliveryObserver {
  rejected(forge: string, status: number): void;
  answered(status: number, seconds: number): void;
  /** The bytes held now by bodies not verified yet (server.unverified_limit bounds them). */
  unverifiedHeld(bytes: number): void;
  /** A delivery refused with 503 because unverified bodies already hold all they may. */
  unverifiedRefused(forge: string): void;
}

/** How one attempt to post a commit status ended (src/report/decide-post.ts decides it). */
export type PostOutcome = "posted" | "refused" | "retry" | "failed" | "canceled";

/** What the status reporter counts. */
export interface StatusMetrics {
  statusPost(forge: ForgeName, outcome: PostOutcome): void;
  /** Read at scrape time: the outbox's length. */
  setOutboxSource(read: () => number): void;
}
