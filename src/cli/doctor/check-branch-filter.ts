// A Gitea or Forgejo hook's branch filter against the branches the push jobs build: a push to a
// branch outside the filter is never sent (services/webhook/webhook.go, checkBranch; it applies
// to pushes, and to branch creation and deletion, never to tags, pull requests or releases).

import { everyBranch } from "../../forges/api-clients.ts";
import { matchesGlob } from "../../routing/glob.ts";
import { warning, type Finding } from "./finding.ts";

/** A job that builds pushes, and the branch globs it is limited to (absent: every branch). */
export interface PushJob {
  job: string;
  branches?: readonly string[];
}

/**
 * Whether a glob can leave out some of a job's branches exactly is a question about two
 * languages: Gitea matches with gobwas/glob (no separator, so its `*` also spans `/`), the config
 * with picomatch. So this is a plain test instead: each of the job's patterns, taken as a literal
 * branch name, must match the filter (with picomatch, as the config's globs are matched). `main`
 * under `{main,release/*}` passes; `release/*` under `release/*` passes; a job of every branch
 * under any narrowed filter does not. It can warn of a filter that in fact lets everything the job
 * builds through (`release*` and `release/*`), hence "may not send", and never stays silent about
 * a filter that leaves out a branch named literally in the config.
 */
export function checkBranchFilter(subject: string, hookId: number, branchFilter: string | undefined, jobs: readonly PushJob[]): Finding[] {
  if (branchFilter === undefined || everyBranch(branchFilter)) return [];
  const outside: string[] = [];
  for (const job of jobs) {
    const patterns = job.branches ?? [];
    if (patterns.length === 0) {
      outside.push(`every branch (job ${job.job})`);
      continue;
    }
    for (const pattern of patterns) {
      if (!matchesGlob(pattern, branchFilter)) outside.push(`${pattern} (job ${job.job})`);
    }
  }
  if (outside.length === 0) return [];
  return [warning(subject, `hook ${hookId}'s branch filter "${branchFilter}" may not send pushes to ${outside.join(", ")}: the forge drops a push outside its filter before sending it`,
    `set the hook's branch filter to * (or widen it to cover those branches); repo add sets it to *`)];
}
