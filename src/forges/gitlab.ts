// GitLab: https://docs.gitlab.com/user/project/integrations/webhooks/#delivery-headers

import { HttpError } from "../errors.ts";
import { GITLAB_EVENTS } from "./gitlab-event-names.ts";
import { normaliseGitLab, readGitLabRepository } from "./gitlab-normalise.ts";
import { hasGitLabSignature, verifyGitLabSignature } from "./gitlab-signature.ts";
import { hasHeader, headerValue, requireHeader } from "./read-header.ts";
import type { Forge } from "./types.ts";

export const gitlab: Forge = {
  name: "gitlab",
  detect: (headers) => hasHeader(headers, "X-Gitlab-Event"),
  readEnvelope(headers) {
    const event = requireHeader(headers, "X-Gitlab-Event", "GitLab");
    // GitLab retries failed deliveries by itself (expect duplicates) and keeps Idempotency-Key
    // (17.4+) across the retries, where X-Gitlab-Event-UUID is new each time.
    const deliveryId = headerValue(headers, "Idempotency-Key") ?? requireHeader(headers, "X-Gitlab-Event-UUID", "GitLab");
    if (!GITLAB_EVENTS.has(event)) {
      throw new HttpError(400, `unknown GitLab event "${event}" in X-Gitlab-Event: GitLab defines no such event`, {
        event,
      });
    }
    return { forge: "gitlab", event, deliveryId };
  },
  hasSignature: hasGitLabSignature,
  verify: verifyGitLabSignature,
  readRepository: readGitLabRepository,
  normalise: normaliseGitLab,
};
