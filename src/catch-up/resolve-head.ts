// Where a branch or tag points now, for a build a person asks for from the page: `git ls-remote`
// of the repository's `poll:` remote, else of the clone URL its last delivery gave (whether or not
// catch-up runs). A bare name may be a branch or a tag; when it is both, the person must say which.

import { lsRemote, type LsRemoteOptions } from "./ls-remote.ts";
import { redactUrl } from "./redact-url.ts";

type ResolvedHead =
  | { ok: true; ref: string; sha: string; cloneUrl: string }
  | { ok: false; status: 400 | 404 | 409 | 502; reason: string };

interface ResolveHeadInput {
  repo: string;
  /** `master`, `v1.2`, `refs/heads/master`, `refs/tags/v1.2`. */
  ref: string;
  /** The repository's `poll:` remote. */
  poll?: string;
  /** The clone URL the repository's last delivery gave its jobs. */
  lastCloneUrl?: string;
}

export async function resolveHead(input: ResolveHeadInput, options: LsRemoteOptions): Promise<ResolvedHead> {
  const remote = input.poll ?? input.lastCloneUrl;
  if (remote === undefined) {
    return {
      ok: false, status: 409,
      reason: `cannot tell where ${input.ref} of ${input.repo} points: the repository has no poll: remote and no delivery brought its clone URL yet`,
    };
  }
  const listed = await lsRemote(remote, options);
  if (!listed.ok) return { ok: false, status: 502, reason: `git ls-remote ${redactUrl(remote)} failed: ${listed.reason}` };
  const candidates = input.ref.startsWith("refs/") ? [input.ref] : [`refs/heads/${input.ref}`, `refs/tags/${input.ref}`];
  const found = candidates.filter((ref) => listed.heads.has(ref));
  if (found.length === 0) return { ok: false, status: 404, reason: `${redactUrl(remote)} has no branch or tag ${input.ref}` };
  if (found.length > 1) {
    return { ok: false, status: 409, reason: `${input.ref} is both a branch and a tag of ${input.repo}: write refs/heads/${input.ref} or refs/tags/${input.ref}` };
  }
  const ref = found[0]!;
  // The commit, also for an annotated tag: what a job checks out.
  return { ok: true, ref, sha: listed.heads.get(ref)!.peeled, cloneUrl: redactUrl(remote) };
}
