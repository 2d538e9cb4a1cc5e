// The one ref a bare name meant among those a remote or a forge has: a branch or a tag, and when it
// is both, the person must say which. Pure: git ls-remote and the forge's API both end here.

export type ResolvedHead =
  | { ok: true; ref: string; sha: string; cloneUrl: string }
  | { ok: false; status: 400 | 404 | 409 | 503; reason: string };

/** `found`: each candidate ref the source has, to its commit (an annotated tag peeled). */
export function pickRef(input: { repo: string; ref: string }, found: ReadonlyMap<string, string>, source: { where: string; cloneUrl: string }): ResolvedHead {
  const candidates = input.ref.startsWith("refs/") ? [input.ref] : [`refs/heads/${input.ref}`, `refs/tags/${input.ref}`];
  const present = candidates.filter((ref) => found.has(ref));
  if (present.length === 0) return { ok: false, status: 404, reason: source.where };
  if (present.length > 1) {
    return { ok: false, status: 409, reason: `${input.ref} is both a branch and a tag of ${input.repo}: write refs/heads/${input.ref} or refs/tags/${input.ref}` };
  }
  const ref = present[0]!;
  return { ok: true, ref, sha: found.get(ref)!, cloneUrl: source.cloneUrl };
}
