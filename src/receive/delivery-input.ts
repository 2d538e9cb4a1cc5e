// A plan as the journal's row: what every delivery records (who sent what, when, from where), and
// what it turned out to be.

import { compact } from "../forges/shared/compact.ts";
import type { DeliveryInput, PushedHead } from "../journal/index.ts";
import type { ForgeName, HookEvent } from "../types.ts";
import type { Plan } from "./plan-delivery.ts";

/** What every journaled delivery records, whatever it turns out to be. */
export interface Received {
  forge: ForgeName;
  deliveryId: string;
  forgeEvent: string;
  headers: DeliveryInput["headers"];
  /** The JSON text as the forge sent it (or as catch-up made it). */
  payload: string;
  remoteAddress: string;
  receivedAt: number;
  /** Which secret verified it, by position (verify-delivery.ts); absent when none was checked. */
  secretIndex?: number;
}

/**
 * The journal's input, written out field by field with the optional ones spread last: `{ ...received,
 * kind, … }` took ~8 µs a delivery on Node 20's slow path for literals that start with a spread
 * (see forges/compact.ts). Empty values are left out of the row.
 */
export function deliveryInput(received: Received, plan: Plan): DeliveryInput {
  const routed = plan.kind === "routed";
  const event = routed ? plan.event : undefined;
  const head = event === undefined ? undefined : pushedHead(event);
  const input: DeliveryInput = {
    forge: received.forge,
    deliveryId: received.deliveryId,
    forgeEvent: received.forgeEvent,
    headers: received.headers,
    payload: received.payload,
    remoteAddress: received.remoteAddress,
    receivedAt: received.receivedAt,
    kind: routed ? plan.event.kind : plan.kind,
    trace: routed ? plan.routing.trace : [],
    jobs: routed ? plan.routing.jobs : [],
    ...compact<Pick<DeliveryInput, "action" | "repo" | "ref" | "sender" | "note">>({
      action: event?.action,
      repo: routed ? plan.event.repo : plan.repo,
      ref: event?.ref,
      sender: event?.sender,
      note: routed ? plan.routing.note : plan.note,
    }),
  };
  if (head !== undefined) input.head = head;
  if (received.secretIndex !== undefined) input.secretIndex = received.secretIndex;
  return input;
}

/** The head a branch or tag push brought, which the journal matches against pushes found by polling. */
function pushedHead(event: HookEvent): PushedHead | undefined {
  if ((event.kind !== "push" && event.kind !== "tag") || event.deleted) return undefined;
  if (event.repo === undefined || event.ref === undefined || event.rev === undefined) return undefined;
  return { repo: event.repo, ref: event.ref, shas: [event.rev], polled: false };
}
