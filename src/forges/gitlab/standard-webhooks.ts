// The Standard Webhooks signature scheme, which GitLab uses when a hook has a signing token:
// `webhook-signature: v1,<base64 HMAC-SHA256>` (several space-separated entries allowed) over
// `${webhook-id}.${webhook-timestamp}.${body}`, keyed with the base64 bytes after `whsec_`.
// https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
// https://gitlab.com/gitlab-org/gitlab/-/merge_requests/230944
//
// The spec also asks receivers to refuse old timestamps. This check is a pure function without a
// clock, so it does not; a replayed delivery carries the same webhook-id, which GitLab sets equal
// to Idempotency-Key, the delivery id the journal de-duplicates on.

import type { Secret } from "../../config/secret.ts";
import type { Headers } from "../../types.ts";
import { base64DigestMatches, hmacSha256 } from "../shared/hmac-sha256.ts";
import { headerValue } from "../shared/read-header.ts";

const SECRET_PREFIX = "whsec_";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const TIMESTAMP = /^\d{1,15}$/;

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
