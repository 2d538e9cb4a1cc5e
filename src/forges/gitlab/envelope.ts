// GitLab's delivery headers: https://docs.gitlab.com/user/project/integrations/webhooks/#delivery-headers

import { HttpError } from "../../errors.ts";
import type { Envelope, Headers } from "../../types.ts";
import { headerValue, requireHeader } from "../shared/read-header.ts";
import { GITLAB_EVENTS } from "./event-names.ts";
import { hasStandardWebhookSignature } from "./standard-webhooks.ts";

/**
 * The event and the delivery id the journal de-duplicates on. A delivery signed with a signing
 * token is known by its `webhook-id`, which the signature covers: GitLab sets it equal to
 * Idempotency-Key (gitlab-org/gitlab!230944), but only the signed copy cannot be changed, so
 * resending a signed delivery under a new Idempotency-Key still finds the first one.
 */
export function readGitLabEnvelope(headers: Headers): Envelope {
  const event = requireHeader(headers, "X-Gitlab-Event", "GitLab");
  // GitLab retries failed deliveries by itself (expect duplicates) and keeps Idempotency-Key
  // (17.4+) across the retries, where X-Gitlab-Event-UUID is new each time. With only the secret
  // token nothing is signed: whoever holds the token can send anything, so its key is as good.
  const deliveryId = hasStandardWebhookSignature(headers)
    ? requireHeader(headers, "webhook-id", "signed GitLab")
    : (headerValue(headers, "Idempotency-Key") ?? requireHeader(headers, "X-Gitlab-Event-UUID", "GitLab"));
  if (!GITLAB_EVENTS.has(event)) {
    throw new HttpError(400, `unknown GitLab event "${event}" in X-Gitlab-Event: GitLab defines no such event`, {
      event,
    });
  }
  return { forge: "gitlab", event, deliveryId };
}
