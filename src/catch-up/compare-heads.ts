import type { RemoteHead, RemoteHeads } from "./parse-ls-remote.ts";

/** How one branch or tag changed between two polls of a remote. */
export type HeadChange =
  | { kind: "created"; ref: string; head: RemoteHead }
  | { kind: "moved"; ref: string; head: RemoteHead; before: RemoteHead }
  | { kind: "deleted"; ref: string; before: RemoteHead };

/**
 * What changed from the heads seen last to the heads seen now, in ref order. A ref moved when what
 * it names moved: a tag made again on the same commit is a new tag object, and a push of it.
 */
export function compareHeads(known: RemoteHeads, now: RemoteHeads): HeadChange[] {
  const changes: HeadChange[] = [];
  for (const [ref, head] of now) {
    const before = known.get(ref);
    if (before === undefined) changes.push({ kind: "created", ref, head });
    else if (before.sha !== head.sha) changes.push({ kind: "moved", ref, head, before });
  }
  for (const [ref, before] of known) {
    if (!now.has(ref)) changes.push({ kind: "deleted", ref, before });
  }
  return changes.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}
