// The paths a push touched, for path filters. Each forge decides whether its payload can list them
// all; a list that might be short must say so, or a filter would skip a build it should start.

import type { HookEvent } from "../../types.ts";

/** The per-commit file lists the forges send (GitHub, the Gitea family and GitLab alike). */
export interface CommitFiles {
  readonly added?: readonly string[] | null | undefined;
  readonly modified?: readonly string[] | null | undefined;
  readonly removed?: readonly string[] | null | undefined;
}

export type ChangedFiles = NonNullable<HookEvent["changedFiles"]>;

/**
 * The union of the added, modified and removed paths of `commits`, sorted. `allCommitsSent` is the
 * forge's own judgement; a commit without the three lists (old Gitea, Gogs) makes it incomplete too.
 */
export function changedFiles(commits: readonly CommitFiles[], allCommitsSent: boolean): ChangedFiles {
  const paths = new Set<string>();
  let everyCommitListed = true;
  for (const commit of commits) {
    if (!commit.added || !commit.modified || !commit.removed) everyCommitListed = false;
    for (const path of [...(commit.added ?? []), ...(commit.modified ?? []), ...(commit.removed ?? [])]) {
      paths.add(path);
    }
  }
  return { paths: [...paths].sort(), complete: allCommitsSent && everyCommitListed };
}
