// Where a branch or tag points now, for a build a person asks for from the page: `git ls-remote`
// of the repository's `poll:` remote, else of the clone URL its last delivery gave (whether or not
// catch-up runs), else the forge's API with the repository's token (head-from-api.ts). A bare name
// may be a branch or a tag; when it is both, the person must say which.

import type { ForgeApi } from "../forges/api-clients.ts";
import type { Config, ForgeName } from "../types.ts";
import { headFromApi } from "./head-from-api.ts";
import { lsRemote, type LsRemoteOptions } from "./ls-remote.ts";
import { pickRef, type ResolvedHead } from "./pick-ref.ts";
import { redactUrl } from "./redact-url.ts";

export type { ResolvedHead } from "./pick-ref.ts";

interface ResolveHeadInput {
  forge: ForgeName;
  repo: string;
  /** `master`, `v1.2`, `refs/heads/master`, `refs/tags/v1.2`. */
  ref: string;
  /** The repository's `poll:` remote. */
  poll?: string;
  /** The clone URL the repository's last delivery gave its jobs. */
  lastCloneUrl?: string;
}

interface ResolveHeadOptions extends LsRemoteOptions {
  /** The config now: the forge's API root and the repository's token. */
  config: Config;
  apis: Readonly<Record<ForgeName, ForgeApi>>;
}

export async function resolveHead(input: ResolveHeadInput, options: ResolveHeadOptions): Promise<ResolvedHead> {
  const remote = input.poll ?? input.lastCloneUrl;
  if (remote === undefined) return headFromApi(input, options.apis[input.forge], options.config, { timeoutMs: options.timeoutMs });
  const listed = await lsRemote(remote, options);
  if (!listed.ok) return { ok: false, status: 503, reason: `git ls-remote ${redactUrl(remote)} failed: ${listed.reason}` };
  const found = new Map([...listed.heads].map(([ref, head]) => [ref, head.peeled]));
  // The commit, also for an annotated tag: what a job checks out.
  return pickRef(input, found, { where: `${redactUrl(remote)} has no branch or tag ${input.ref}`, cloneUrl: redactUrl(remote) });
}
