// The journal's half of receiving: commit the delivery with its dispatches (durable before it
// resolves), tell a duplicate from a new delivery, and wake the dispatcher when jobs are pending.

import type { DeliveryInput, RecordDeliveryResult } from "../journal/index.ts";
import type { ForgeName } from "../types.ts";
import type { Plan } from "./plan-delivery.ts";

export interface DeliveryJournal {
  /**
   * Durable once it resolves (group commit: one transaction with the other deliveries of the same
   * event-loop turn); rejects with JournalUnavailableError when it cannot be written.
   */
  commitDelivery(delivery: DeliveryInput): Promise<Pick<RecordDeliveryResult, "id" | "duplicate" | "duplicateOf">>;
}

export type DeliveryOutcome = "accepted" | "unmatched" | "duplicate" | "ignored" | "ping";

export interface DeliveryObserver {
  delivery(forge: ForgeName, event: string, outcome: DeliveryOutcome): void;
}

export interface ReceiveServices {
  journal: DeliveryJournal;
  /** Wakes the dispatcher: new dispatches are pending. */
  kick: () => void;
  observe: DeliveryObserver;
}

export interface Committed {
  /**
   * The journal's id of the delivery: of its first copy, for the same delivery id again; its own,
   * for a webhook of a push already built (kept; `duplicateOf` names the one that built it); that
   * one's, for a polled push already built (not kept).
   */
  id: number;
  outcome: DeliveryOutcome;
  /** Another delivery brought this push first and built it (another hook, a Replay, a poll…): nothing was queued. */
  duplicateOf?: RecordDeliveryResult["duplicateOf"];
}

/**
 * The journal decides whether this is a duplicate in the same transaction that records it, so two
 * copies of one delivery (a forge's retry) or of one push (a second hook, a Replay, a webhook and
 * catch-up's poll) cannot both be queued. A ping or an ignored event is journaled again as it is:
 * it queues nothing either way.
 */
export async function commitDelivery(services: ReceiveServices, input: DeliveryInput, plan: Plan): Promise<Committed> {
  const recorded = await services.journal.commitDelivery(input);
  const outcome = outcomeOf(plan, recorded.duplicate);
  if (outcome === "accepted") services.kick();
  services.observe.delivery(input.forge, input.forgeEvent, outcome);
  return recorded.duplicateOf === undefined ? { id: recorded.id, outcome } : { id: recorded.id, outcome, duplicateOf: recorded.duplicateOf };
}

function outcomeOf(plan: Plan, duplicate: boolean): DeliveryOutcome {
  if (plan.kind !== "routed") return plan.kind;
  if (duplicate) return "duplicate";
  return plan.routing.jobs.length === 0 ? "unmatched" : "accepted";
}
