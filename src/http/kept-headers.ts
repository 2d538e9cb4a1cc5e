import type { Headers } from "../types.ts";

/** Headers worth keeping in the journal for `show`: what identifies the sender and the event. */
const KEPT = /^(x-github-|x-gitea-|x-gogs-|x-forgejo-|x-gitlab-(event|instance|webhook)|idempotency-key$|content-type$|content-length$|user-agent$|x-forwarded-for$|x-real-ip$)/;
/** Never kept, whatever prefix they carry: a signature is as good as the secret for a replay. */
const SECRET = /signature|token|authorization|secret/;

export function keptHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !KEPT.test(name) || SECRET.test(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return kept;
}
