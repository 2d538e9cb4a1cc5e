import { isSecretHeader } from "../config/secret.ts";
import type { Headers } from "../types.ts";

/**
 * The headers to keep with a delivery. The HTTP layer already passes only the useful ones; this
 * is the journal's own guard, so that no later change there can write a secret to disk.
 */
export function filterHeaders(headers: Headers): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || isSecretHeader(name)) continue;
    kept[name.toLowerCase()] = value;
  }
  return kept;
}
