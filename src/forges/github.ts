// GitHub: https://docs.github.com/en/webhooks/webhook-events-and-payloads#delivery-headers

import { HttpError } from "../errors.ts";
import { GITHUB_EVENTS } from "./github-event-names.ts";
import { normaliseGitHub } from "./github-normalise.ts";
import { hasGitHubSignature, verifyGitHubSignature } from "./github-signature.ts";
import { hasHeader, requireHeader } from "./read-header.ts";
import { readRepositoryFullName } from "./shared-payloads.ts";
import type { Forge } from "./types.ts";

export const github: Forge = {
  name: "github",
  // Gitea, Forgejo and Gogs send X-GitHub-Event too; detectForge asks them first.
  detect: (headers) => hasHeader(headers, "X-GitHub-Event"),
  readEnvelope(headers) {
    const event = requireHeader(headers, "X-GitHub-Event", "GitHub");
    const deliveryId = requireHeader(headers, "X-GitHub-Delivery", "GitHub");
    if (!GITHUB_EVENTS.has(event)) {
      throw new HttpError(400, `unknown GitHub event "${event}" in X-GitHub-Event: GitHub defines no such event`, {
        event,
      });
    }
    return { forge: "github", event, deliveryId };
  },
  hasSignature: hasGitHubSignature,
  verify: verifyGitHubSignature,
  readRepository: readRepositoryFullName,
  normalise: normaliseGitHub,
};
