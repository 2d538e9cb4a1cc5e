// GitHub's delivery headers: https://docs.github.com/en/webhooks/webhook-events-and-payloads#delivery-headers

import { HttpError } from "../../errors.ts";
import type { Envelope, Headers } from "../../types.ts";
import { requireHeader } from "../shared/read-header.ts";
import { GITHUB_EVENTS } from "./event-names.ts";

/**
 * The event and delivery id; GitHub's redelivery keeps X-GitHub-Delivery. The signature does not
 * cover the id, so the same body under a new id is a new delivery: one that builds nothing, since
 * one push builds once (journal/catch-up-heads.ts; docs/how-it-works.md, "One push, one build").
 */
export function readGitHubEnvelope(headers: Headers): Envelope {
  const event = requireHeader(headers, "X-GitHub-Event", "GitHub");
  const deliveryId = requireHeader(headers, "X-GitHub-Delivery", "GitHub");
  if (!GITHUB_EVENTS.has(event)) {
    throw new HttpError(400, `unknown GitHub event "${event}" in X-GitHub-Event: GitHub defines no such event`, {
      event,
    });
  }
  return { forge: "github", event, deliveryId };
}
