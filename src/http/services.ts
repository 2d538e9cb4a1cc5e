// What the HTTP layer needs from the rest of the service, as narrow ports: tests can pass the real
// journal and a recording dispatcher, and nothing here reaches for globals.

import type { Forge } from "../forges/types.ts";
import type { HookObserver } from "../observe/metric-ports.ts";
import type { DeliveryJournal as ReceiveJournal, ReceiveServices } from "../receive/commit-delivery.ts";
import type { Config, Envelope } from "../types.ts";

interface DeliveryJournal extends ReceiveJournal {
  isWritable(): boolean;
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
