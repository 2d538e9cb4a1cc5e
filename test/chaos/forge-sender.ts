// The forge's side of a chaos run: each delivery sent at its planned moment and sent again, with the
// same delivery id, after the planned wait, until the service answers 2xx (a 5xx, a refused
// connection while the service is down, no answer: all redelivered, as GitHub's Redeliver would).

import type { ChaosHistory } from "./chaos-history.ts";
import type { PlannedDelivery, PlannedPush } from "./chaos-plan.ts";
import { pushBody, sendDelivery } from "./push-delivery.ts";

/** Delivers until 2xx; false when `giveUp.at` came first (it may move: a failed run ends it at once). */
export async function deliverUntilAnswered(url: string, push: PlannedPush, delivery: PlannedDelivery, history: ChaosHistory, giveUp: { at: number }): Promise<boolean> {
  const body = pushBody(push);
  for (let attempt = 0; ; attempt++) {
    const outcome = await sendDelivery(url, body, delivery.id);
    const answered = "status" in outcome;
    const text = answered ? `${outcome.status} ${outcome.message}` : `no answer: ${outcome.error}`;
    history.record("forge", `${push.branch} ${push.sha.slice(0, 7)} delivery ${delivery.id}${attempt === 0 ? "" : ` (redelivery ${attempt})`} → ${text}`, push.index);
    if (answered && outcome.status >= 200 && outcome.status < 300) return true;
    const wait = delivery.retryDelaysMs[attempt % delivery.retryDelaysMs.length]!;
    if (Date.now() + wait > giveUp.at) {
      history.record("forge", `gave up on delivery ${delivery.id}`, push.index);
      return false;
    }
    // The forge's own pace between redeliveries: part of the plan.
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
