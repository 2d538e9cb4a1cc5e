/** One branch or tag head as `git ls-remote` tells it. */
export interface RemoteHead {
  /** What the ref names: a commit, or an annotated tag's own object. */
  sha: string;
  /** The commit it comes to (`ref^{}` for an annotated tag); the same as `sha` otherwise. */
  peeled: string;
}

/** Full ref name (`refs/heads/main`, `refs/tags/v1.0`) → its head. */
export type RemoteHeads = ReadonlyMap<string, RemoteHead>;

const LINE = /^([0-9a-f]{40}|[0-9a-f]{64})\t(refs\/(?:heads|tags)\/\S+)$/;

/**
 * `git ls-remote --heads --tags` output: `SHA<TAB>REF` lines, an annotated tag followed by its
 * peeled line `SHA<TAB>refs/tags/NAME^{}` (git's order, but not relied on). Anything else (a
 * warning, `refs/pull/…`, an odd line) is skipped.
 */
export function parseLsRemote(output: string): RemoteHeads {
  const heads = new Map<string, RemoteHead>();
  const peeled = new Map<string, string>();
  for (const raw of output.split("\n")) {
    const match = LINE.exec(raw.trimEnd());
    if (!match) continue;
    const [, sha = "", ref = ""] = match;
    if (ref.endsWith("^{}")) {
      peeled.set(ref.slice(0, -3), sha);
    } else {
      heads.set(ref, { sha, peeled: sha });
    }
  }
  for (const [ref, commit] of peeled) {
    const head = heads.get(ref);
    if (head) heads.set(ref, { sha: head.sha, peeled: commit });
  }
  return heads;
}
