// What the HTTP layer needs from the rest of the service, as narrow ports: tests can pass the real
// journal and a recording dispatcher, and nothing here reaches for globals.

import type { DeliveryInput, RecordDeliveryResult } from "../journal/index.ts";
import type { Config, ForgeName } from "../types.ts";

export interface DeliveryJournal {
  /**
   * Durable once it resolves (group commit: one transaction with the other deliveries of the same
   * event-loop turn); rejects with JournalUnavailableError when it cannot be written.
   */
  commitDelivery(delivery: DeliveryInput): Promise<Pick<RecordDeliveryResult, "id" | "duplicate" | "duplicateOf">>;
  isWritable(): boolean;
}

export type DeliveryOutcome = "accepted" | "unmatched" | "duplicate" | "ignored" | "ping";

export interface HookObserver {
  delivery(forge: ForgeName, event: string, outcome: DeliveryOutcome): void;
  rejected(forge: string, status: number): void;
  answered(status: number, seconds: number): void;
}

export interface HookServices {
  getConfig: () => Config;
  journal: DeliveryJournal;
  /** Milliseconds since the epoch, for the journal. */
  now: () => number;
  /** Wakes the dispatcher: new dispatches are pending. */
  kick: () => void;
  observe: HookObserver;
}
