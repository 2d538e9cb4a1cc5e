// A push found by polling joins the one receive pipeline the hook endpoint and `redeliver` use
// (src/receive): routed, journaled durably and queued like a webhook's. What is its own: the
// LAMINAR_REASON that says it was polled, and the head it brought, marked polled, so that its
// webhook arriving later is answered `duplicate`.

import type { EarlierDelivery } from "../journal/index.ts";
import { commitDelivery, type ReceiveServices as PipelineServices } from "../receive/commit-delivery.ts";
import { deliveryInput } from "../receive/delivery-input.ts";
import { routeEvent } from "../receive/plan-delivery.ts";
import type { RepositoryConfig, TraceLine } from "../types.ts";
import type { PolledDelivery } from "./polled-event.ts";

export interface ReceiveServices extends PipelineServices {
  now: () => number;
}

/** What became of a polled push. */
type Received =
  | { kind: "queued"; id: number; jobs: readonly string[] }
  | { kind: "unmatched"; id: number; trace: readonly TraceLine[]; note?: string }
  /** A delivery brought this head first (its webhook won the race): nothing queued. */
  | { kind: "duplicate"; of: EarlierDelivery };

/** Routes, journals (durably) and hands to the dispatcher; rejects when the journal cannot keep it. */
export async function receivePolled(delivery: PolledDelivery, repository: RepositoryConfig, services: ReceiveServices): Promise<Received> {
  const routed = routeEvent(repository, delivery.event, delivery.deliveryId, delivery.payload);
  const plan = { ...routed, routing: { ...routed.routing, jobs: routed.routing.jobs.map((job) => ({ ...job, reason: delivery.reason })) } };
  const input = deliveryInput({
    forge: delivery.event.forge,
    deliveryId: delivery.deliveryId,
    forgeEvent: delivery.forgeEvent,
    headers: {},
    payload: JSON.stringify(delivery.payload),
    // Where it came from, for `show`: the remote, as polled (without userinfo).
    remoteAddress: delivery.event.cloneUrl ?? "",
    receivedAt: services.now(),
  }, plan);
  // The journal matches a webhook's head against this one: both the commit and, for an annotated
  // tag, the tag object (a webhook names either).
  input.head = { repo: repository.repo, ref: delivery.event.ref ?? "", shas: delivery.shas, polled: true, since: "" };
  const committed = await commitDelivery(services, input, plan);
  const { routing } = plan;
  switch (committed.outcome) {
    case "accepted":
      return { kind: "queued", id: committed.id, jobs: routing.jobs.map((job) => job.job) };
    case "duplicate":
      return { kind: "duplicate", of: committed.duplicateOf ?? { id: committed.id, deliveryId: delivery.deliveryId, polled: true } };
    default:
      return { kind: "unmatched", id: committed.id, trace: routing.trace, ...(routing.note === undefined ? {} : { note: routing.note }) };
  }
}
