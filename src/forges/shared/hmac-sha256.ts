// HMAC-SHA256 and the constant-time comparison of a digest a client sent, in the shape of
// @octokit/webhooks-methods' verify: decode strictly, check the length, then timingSafeEqual.

import { createHmac, timingSafeEqual } from "node:crypto";

const HEX = /^[0-9a-f]+$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function hmacSha256(key: string | Buffer, ...parts: ReadonlyArray<string | Buffer>): Buffer {
  const hmac = createHmac("sha256", key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/**
 * Whether `given` is the hex spelling of `expected`. Buffer.from(…, "hex") silently stops at the
 * first non-hex character, so the format is checked first; a wrong length is not worth hiding.
 */
export function hexDigestMatches(expected: Buffer, given: string): boolean {
  if (given.length !== expected.length * 2 || !HEX.test(given)) return false;
  return timingSafeEqual(expected, Buffer.from(given, "hex"));
}

/** Whether `given` is the (padded, standard alphabet) base64 spelling of `expected`. */
export function base64DigestMatches(expected: Buffer, given: string): boolean {
  if (!BASE64.test(given)) return false;
  const decoded = Buffer.from(given, "base64");
  return decoded.length === expected.length && timingSafeEqual(expected, decoded);
}
