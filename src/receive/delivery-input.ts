// A plan as the journal's row: what every delivery records (who sent what, when, from where), and
// what it turned out to be.

import { compact } from "../forges/shared/compact.ts";
import type { DeliveryInput, PushedHead } from "../journal/index.ts";
import type { ForgeName, HookEvent } from "../types.ts";
import type { Plan } from "./plan-delivery.ts";

/** What every journaled delivery records, whatever it turns out to be. */
interface Received {
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

/**
 * What identifies the push a delivery brought (journal/catch-up-heads.ts): a branch or tag push by
 * its ref and before → after, a pull request by its number (in its ref), action and head. None
 * for a deletion, a release, or a Gogs pull request (no head sha): those are never taken for copies.
 */
function pushedHead(event: HookEvent): PushedHead | undefined {
  const { repo, ref, rev } = event;
  if (repo === undefined || ref === undefined || rev === undefined) return undefined;
  // Literals without a spread: on every delivery's path (see deliveryInput).
  if ((event.kind === "push" || event.kind === "tag") && !event.deleted) {
    return { repo, ref, shas: [rev], polled: false, since: event.before ?? "" };
  }
  if (event.kind === "pull_request" && event.action !== undefined) {
    return { repo, ref, shas: [rev], polled: false, since: `pull_request ${event.action}` };
  }
  return undefined;
}
