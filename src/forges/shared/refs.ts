// Git refs and object ids as the forges spell them in payloads.

const BRANCH_PREFIX = "refs/heads/";
const TAG_PREFIX = "refs/tags/";
const ZERO_SHA = /^0+$/;

type ParsedRef =
  | { kind: "branch"; name: string }
  | { kind: "tag"; name: string }
  | { kind: "other" };

/** Branch or tag of a full ref; anything else (notes, a short name) is "other". */
export function parseRef(ref: string): ParsedRef {
  if (ref.startsWith(BRANCH_PREFIX) && ref.length > BRANCH_PREFIX.length) {
    return { kind: "branch", name: ref.slice(BRANCH_PREFIX.length) };
  }
  if (ref.startsWith(TAG_PREFIX) && ref.length > TAG_PREFIX.length) {
    return { kind: "tag", name: ref.slice(TAG_PREFIX.length) };
  }
  return { kind: "other" };
}

export function tagRef(tag: string): string {
  return `${TAG_PREFIX}${tag}`;
}

/**
 * The all-zero object id every forge puts in `before` for a created ref and in `after` for a
 * deleted one (40 zeros, or 64 in a SHA-256 repository).
 */
export function isZeroSha(sha: string | null | undefined): boolean {
  return typeof sha === "string" && ZERO_SHA.test(sha);
}

/** A full commit id (SHA-1 or SHA-256), as opposed to a branch name in `target_commitish`. */
export function isCommitId(value: string | null | undefined): value is string {
  return typeof value === "string" && /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(value) && !isZeroSha(value);
}

/** Where GitHub, Gitea, Forgejo and Gogs expose a pull request's head commit for fetching. */
export function pullRequestRef(number: number): string {
  return `refs/pull/${number}/head`;
}

/** Where GitLab exposes a merge request's head commit for fetching. */
export function mergeRequestRef(iid: number): string {
  return `refs/merge-requests/${iid}/head`;
}
