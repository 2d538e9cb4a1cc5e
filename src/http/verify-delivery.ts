// The signature check of the hook endpoint: 401 unless the delivery carries a valid signature for
// the secret that applies to it, in constant time, over the bytes the forge signed (each forge's
// verify). It reads the bytes and the signed text only, never the parsed payload.

import { HttpError } from "../errors.ts";
import type { Forge } from "../forges/types.ts";
import type { Located } from "../receive/plan-delivery.ts";
import { notConfigured } from "../receive/plan-delivery.ts";
import type { Verification } from "../routing/index.ts";
import type { Envelope, IncomingDelivery } from "../types.ts";

/**
 * Returns which secret verified it: its position in the config's list (0 for a lone secret), or
 * undefined when nothing is checked (insecure). Each secret is checked in constant time; trying the
 * next only says the first did not match, which the 401 says anyway.
 *
 * An unknown repository is checked against the forge's secret when there is one, so that a GitHub
 * ping for a repository not configured yet can be answered, and so that the 404 is not an oracle
 * for unsigned callers.
 */
export function verifyDelivery(
  forge: Forge, delivery: IncomingDelivery, verification: Verification, located: Located, envelope: Envelope, now: number,
): number | undefined {
  if (verification.kind === "insecure") return undefined;
  if (verification.kind === "none") {
    if (!located.repository) throw notConfigured(forge.name, located.repoName);
    throw new HttpError(401, `${verification.reason}; the delivery cannot be verified`);
  }
  if (!forge.hasSignature(delivery.headers)) {
    throw new HttpError(401, `missing signature: set the same secret in the ${forge.name} webhook and in laminar-hooks (${describeSecret(located, forge.name)})`);
  }
  const matched = verification.secrets.findIndex((secret) => forge.verify(delivery, secret));
  if (matched < 0) {
    throw new HttpError(401, `wrong signature for ${envelope.event} delivery ${envelope.deliveryId}: the webhook's secret differs from the one in ${describeSecret(located, forge.name)}`);
  }
  // A signature with a timestamp (Standard Webhooks) holds only near it: an old one is a replay.
  const stale = forge.staleSignature?.(delivery.headers, now);
  if (stale !== undefined) throw new HttpError(401, `stale signature for ${envelope.event} delivery ${envelope.deliveryId}: ${stale}`);
  return matched;
}

function describeSecret(located: Located, forge: string): string {
  return located.repository?.secret ? `the secret of repository ${located.repository.repo}` : `forges.${forge}.secret`;
}
