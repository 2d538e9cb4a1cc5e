// Gitea, Forgejo and Gogs sign the JSON payload, not the request body: in form mode the body is
// `payload=<urlencoded JSON>` and the signature is over the decoded JSON. The signature is bare
// hex HMAC-SHA256, without GitHub's `sha256=` prefix.
// https://github.com/go-gitea/gitea/blob/main/services/webhook/deliver.go

import type { Secret } from "../../config/secret.ts";
import type { Headers, IncomingDelivery } from "../../types.ts";
import { hexDigestMatches, hmacSha256 } from "../shared/hmac-sha256.ts";
import { headerValue } from "../shared/read-header.ts";

/** The first non-empty header of `names`: Gitea sends its signature headers empty when no secret is set. */
export function giteaSignature(headers: Headers, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = headerValue(headers, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

export function verifyGiteaSignature(delivery: IncomingDelivery, secret: Secret, names: readonly string[]): boolean {
  const signature = giteaSignature(delivery.headers, names);
  if (signature === undefined) return false;
  return hexDigestMatches(hmacSha256(secret.reveal(), Buffer.from(delivery.payloadText, "utf8")), signature);
}
