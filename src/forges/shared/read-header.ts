// Reading the few headers a forge module needs. Node lower-cases header names and gives a string
// (or, for a few well-known names, an array); forges sometimes send a header with an empty value.

import { HttpError } from "../../errors.ts";
import type { Headers } from "../../types.ts";

/** Whether the header was sent at all, even empty: enough to tell which forge sent a request. */
export function hasHeader(headers: Headers, name: string): boolean {
  return headers[name.toLowerCase()] !== undefined;
}

/**
 * The header's value, trimmed; undefined when absent or empty. Gitea sends its signature headers
 * with empty values when the hook has no secret, so "empty" must read as "not sent".
 */
export function headerValue(headers: Headers, name: string): string | undefined {
  const raw = headers[name.toLowerCase()];
  const first = Array.isArray(raw) ? raw[0] : raw;
  const value = first?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** The header's value; a 400 that names the header and the forge when it is absent or empty. */
export function requireHeader(headers: Headers, name: string, forgeLabel: string): string {
  const value = headerValue(headers, name);
  if (value === undefined) {
    throw new HttpError(
      400,
      `missing ${name} header: every ${forgeLabel} webhook delivery has one; check that the request comes from ${forgeLabel} and that no proxy drops the header`,
      { header: name },
    );
  }
  return value;
}
