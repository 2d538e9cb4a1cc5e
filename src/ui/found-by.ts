// How a delivery came, when catch-up brought it: `deliveries` and the page mark it the same way.

import type { DeliveryListItem } from "../journal/index.ts";

/** A delivery catch-up brought: a push found by polling its remote, or one it asked the forge to send again. */
export function foundBy(item: Pick<DeliveryListItem, "deliveryId">, redelivered: ReadonlySet<string>): "poll" | "redelivered" | undefined {
  if (item.deliveryId.startsWith("poll:")) return "poll";
  return redelivered.has(item.deliveryId) ? "redelivered" : undefined;
}
