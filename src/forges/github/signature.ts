// GitHub signs the raw request body, for JSON and form bodies alike, with HMAC-SHA256:
// `X-Hub-Signature-256: sha256=<hex>`.
// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
//
// The legacy `X-Hub-Signature: sha1=…` is ignored on purpose: GitHub sends the sha256 header on
// every delivery of a hook that has a secret, so accepting SHA-1 alone would only widen what an
// attacker can forge. The digest is computed over the exact bytes received (not a re-encoded
// string), which is why node:crypto is used rather than @octokit/webhooks-methods' string API.

import type { Secret } from "../../config/secret.ts";
import type { Headers, IncomingDelivery } from "../../types.ts";
import { hexDigestMatches, hmacSha256 } from "../shared/hmac-sha256.ts";
import { headerValue } from "../shared/read-header.ts";

const HEADER = "X-Hub-Signature-256";
const PREFIX = "sha256=";

export function hasGitHubSignature(headers: Headers): boolean {
  return headerValue(headers, HEADER) !== undefined;
}

export function verifyGitHubSignature(delivery: IncomingDelivery, secret: Secret): boolean {
  const header = headerValue(delivery.headers, HEADER);
  if (header === undefined || !header.startsWith(PREFIX)) return false;
  return hexDigestMatches(hmacSha256(secret.reveal(), delivery.rawBody), header.slice(PREFIX.length));
}
