// The Standard Webhooks signature scheme, which GitLab uses when a hook has a signing token:
// `webhook-signature: v1,<base64 HMAC-SHA256>` (several space-separated entries allowed) over
// `${webhook-id}.${webhook-timestamp}.${body}`, keyed with the base64 bytes after `whsec_`.
// https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
// https://gitlab.com/gitlab-org/gitlab/-/merge_requests/230944
//
// Replays: the journal de-duplicates a signed delivery on its webhook-id (see envelope.ts), and
// staleStandardWebhook refuses a signature older or newer than the spec's tolerance, so
// a delivery captured once cannot be sent again after the journal has pruned it.

import type { Secret } from "../../config/secret.ts";
import type { Headers } from "../../types.ts";
import { base64DigestMatches, hmacSha256 } from "../shared/hmac-sha256.ts";
import { headerValue } from "../shared/read-header.ts";

const SECRET_PREFIX = "whsec_";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const TIMESTAMP = /^\d{1,15}$/;
/** The spec's (and its reference libraries') tolerance, either way, for clocks a little apart. */
const TOLERANCE_MS = 5 * 60_000;

export function hasStandardWebhookSignature(headers: Headers): boolean {
  return headerValue(headers, "webhook-signature") !== undefined;
}

export function verifyStandardWebhookSignature(headers: Headers, body: Buffer, secret: Secret): boolean {
  const id = headerValue(headers, "webhook-id");
  const timestamp = headerValue(headers, "webhook-timestamp");
  const signatures = headerValue(headers, "webhook-signature");
  const key = signingKey(secret);
  if (id === undefined || timestamp === undefined || signatures === undefined || key === undefined) return false;
  if (!TIMESTAMP.test(timestamp)) return false;
  const expected = hmacSha256(key, `${id}.${timestamp}.`, body);
  return signatures.split(" ").some((entry) => {
    const comma = entry.indexOf(",");
    return comma > 0 && entry.slice(0, comma) === "v1" && base64DigestMatches(expected, entry.slice(comma + 1));
  });
}

/** GitLab only accepts signing tokens spelled `whsec_<base64>`; any other secret cannot be one. */
function signingKey(secret: Secret): Buffer | undefined {
  const value = secret.reveal();
  if (!value.startsWith(SECRET_PREFIX)) return undefined;
  const encoded = value.slice(SECRET_PREFIX.length);
  if (!BASE64.test(encoded)) return undefined;
  return Buffer.from(encoded, "base64");
}

/**
 * Why a verified delivery's `webhook-timestamp` is refused: more than five minutes from `now`
 * either way. undefined when it is within, or when the delivery carries no Standard Webhooks
 * signature (the secret token has no timestamp). Run after the signature is verified, so the
 * timestamp is the one GitLab signed.
 */
export function staleStandardWebhook(headers: Headers, now: number): string | undefined {
  if (!hasStandardWebhookSignature(headers)) return undefined;
  const timestamp = headerValue(headers, "webhook-timestamp");
  if (timestamp === undefined || !TIMESTAMP.test(timestamp)) return `webhook-timestamp "${timestamp ?? ""}" is not a time in seconds`;
  const skew = Number(timestamp) * 1000 - now;
  if (Math.abs(skew) <= TOLERANCE_MS) return undefined;
  const minutes = Math.round(Math.abs(skew) / 60_000);
  const when = skew < 0 ? `${minutes} minutes ago` : `${minutes} minutes ahead of this server's clock`;
  return `the delivery was signed ${when} (webhook-timestamp ${timestamp}); signatures are accepted for 5 minutes either way, so a replayed or delayed delivery is refused. If GitLab sent it just now, check both clocks (NTP)`;
}
