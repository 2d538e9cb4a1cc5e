import type { Headers } from "../types.ts";

/** Names of headers that may carry a secret; they never reach the journal (DESIGN.md, Security). */
const SECRET_HEADER = /signature|token|authorization|secret|cookie|api-key/i;

/**
 * The headers to keep with a delivery. The HTTP layer already passes only the useful ones; this
 * is the journal's own guard, so that no later change there can write a secret to disk.
 */
export function filterHeaders(headers: Headers): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || SECRET_HEADER.test(name)) continue;
    kept[name.toLowerCase()] = value;
  }
  return kept;
}
