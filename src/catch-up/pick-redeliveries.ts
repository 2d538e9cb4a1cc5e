import type { HookDelivery } from "../forges/shared/hook-log.ts";

export type { HookDelivery };

/** A delivery to be sent again, by its latest attempt. */
interface Redelivery {
  guid: string;
  /** The latest failed attempt. */
  id: number;
  event: string;
  status: string;
  deliveredAt: number;
}

interface Known {
  /** Delivery ids the journal has: each was answered 2xx. */
  journaled: ReadonlySet<string>;
  /** Delivery ids catch-up asked the forge to send again before: asked once, never twice. */
  asked: ReadonlySet<string>;
}

/**
 * GitHub's own recipe (docs "Automatically redelivering failed deliveries"): group the attempts by
 * guid, and send again each guid none of whose attempts is "OK", unless laminar-hooks has it (an
 * attempt that reached it but whose answer GitHub missed) or asked for it already. Oldest first.
 */
export function pickRedeliveries(deliveries: readonly HookDelivery[], known: Known): Redelivery[] {
  const byGuid = new Map<string, HookDelivery[]>();
  for (const delivery of deliveries) {
    const attempts = byGuid.get(delivery.guid) ?? [];
    attempts.push(delivery);
    byGuid.set(delivery.guid, attempts);
  }
  const picked: Redelivery[] = [];
  for (const [guid, attempts] of byGuid) {
    if (attempts.some((attempt) => attempt.status === "OK") || known.journaled.has(guid) || known.asked.has(guid)) continue;
    const latest = attempts.reduce((a, b) => (b.id > a.id ? b : a));
    picked.push({ guid, id: latest.id, event: latest.event, status: latest.status, deliveredAt: latest.deliveredAt });
  }
  return picked.sort((a, b) => a.deliveredAt - b.deliveredAt || a.id - b.id);
}
