// The route → journal → dispatch path for a push found by polling: the same pieces the hook
// endpoint calls, so a polled push is routed, kept and queued like a webhook's. One function, so
// that it can give way to the receive pipeline the HTTP layer and `redeliver` will share.

import type { DeliveryInput, EarlierDelivery, RecordDeliveryResult } from "../journal/index.ts";
import { route } from "../routing/index.ts";
import type { RepositoryConfig, TraceLine } from "../types.ts";
import type { PolledDelivery } from "./polled-event.ts";

export interface ReceiveServices {
  journal: { commitDelivery(input: DeliveryInput): Promise<RecordDeliveryResult> };
  /** Wakes the dispatcher: new dispatches are pending. */
  kick: () => void;
  now: () => number;
}

/** What became of a polled push. */
export type Received =
  | { kind: "queued"; id: number; jobs: readonly string[] }
  | { kind: "unmatched"; id: number; trace: readonly TraceLine[]; note?: string }
  /** A delivery brought this head first (its webhook won the race): nothing kept, nothing queued. */
  | { kind: "duplicate"; of: EarlierDelivery };

/** Routes, journals (durably) and hands to the dispatcher; rejects when the journal cannot keep it. */
export async function receivePolled(delivery: PolledDelivery, repository: RepositoryConfig, services: ReceiveServices): Promise<Received> {
  const { event } = delivery;
  const routing = route(event, repository, delivery.deliveryId, delivery.payload);
  const jobs = routing.jobs.map((job) => ({ ...job, reason: delivery.reason }));
  const recorded = await services.journal.commitDelivery({
    forge: event.forge,
    deliveryId: delivery.deliveryId,
    receivedAt: services.now(),
    forgeEvent: delivery.forgeEvent,
    kind: event.kind,
    repo: repository.repo,
    ...(event.ref === undefined ? {} : { ref: event.ref }),
    sender: event.sender ?? "",
    // Where it came from, for `show`: the remote, as polled (without userinfo).
    remoteAddress: event.cloneUrl ?? "",
    headers: {},
    payload: JSON.stringify(delivery.payload),
    ...(routing.note === undefined ? {} : { note: routing.note }),
    trace: routing.trace,
    jobs,
    head: { repo: repository.repo, ref: delivery.event.ref ?? "", shas: delivery.shas, polled: true },
  });
  if (recorded.duplicateOf !== undefined) return { kind: "duplicate", of: recorded.duplicateOf };
  if (recorded.duplicate) return { kind: "duplicate", of: { id: recorded.id, deliveryId: delivery.deliveryId } };
  if (jobs.length === 0) return { kind: "unmatched", id: recorded.id, trace: routing.trace, ...(routing.note === undefined ? {} : { note: routing.note }) };
  services.kick();
  return { kind: "queued", id: recorded.id, jobs: jobs.map((job) => job.job) };
}
