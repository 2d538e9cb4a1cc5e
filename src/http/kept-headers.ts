import { isSecretHeader } from "../config/secret.ts";
import type { Headers } from "../types.ts";

/** Headers worth keeping in the journal for `show`: what identifies the sender and the event. */
const KEPT = /^(x-github-|x-gitea-|x-gogs-|x-forgejo-|x-gitlab-(event|instance|webhook)|idempotency-key$|content-type$|content-length$|user-agent$|x-forwarded-for$|x-real-ip$)/;

export function keptHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // A secret header is never kept, whatever prefix it carries.
    if (value === undefined || !KEPT.test(name) || isSecretHeader(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return kept;
}
