// What the HTTP layer needs from the rest of the service, as narrow ports: tests can pass the real
// journal and a recording dispatcher, and nothing here reaches for globals.

import type { Forge } from "../forges/types.ts";
import type { DeliveryJournal as ReceiveJournal, DeliveryObserver, ReceiveServices } from "../receive/commit-delivery.ts";
import type { Config, Envelope } from "../types.ts";

export type { DeliveryOutcome } from "../receive/commit-delivery.ts";

export interface DeliveryJournal extends ReceiveJournal {
  isWritable(): boolean;
}

export interface HookObserver extends DeliveryObserver {
  rejected(forge: string, status: number): void;
  answered(status: number, seconds: number): void;
  /** The bytes held now by bodies not verified yet (server.unverified_limit bounds them). */
  unverifiedHeld(bytes: number): void;
  /** A delivery refused with 503 because unverified bodies already hold all they may. */
  unverifiedRefused(forge: string): void;
}

export interface HookServices extends ReceiveServices {
  getConfig: () => Config;
  journal: DeliveryJournal;
  /** Milliseconds since the epoch, for the journal. */
  now: () => number;
  observe: HookObserver;
}

/** Koa's `ctx.state` on the hook endpoint: what it learned so far, for the delivery's one log line. */
export interface HookState {
  forge?: Forge;
  envelope?: Envelope;
  repo?: string;
  ref?: string;
}
