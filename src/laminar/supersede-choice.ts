// Which older runs a newer push makes pointless (`supersede:` of a job). Pure: the newer dispatch's
// facts and the job's open older dispatches in, what to abort and when out.

import type { OpenDispatch } from "../journal/index.ts";

interface NewerDispatch {
  repo: string | null;
  kind: string;
  params: Record<string, string>;
}

/** An older dispatch to abort: `now` while it runs (`supersede: running`), else when it starts. */
interface Superseded {
  dispatchId: number;
  now: boolean;
}

/**
 * The branch a push builds, or the pull request: older runs of the same one are superseded. Tags,
 * releases and manual builds (a person chose them) supersede nothing and are never superseded.
 */
function lineOf(dispatch: { repo: string | null; kind: string; params: Record<string, string> }): string | undefined {
  if (dispatch.repo === null) return undefined;
  const repo = dispatch.repo.toLowerCase();
  if (dispatch.kind === "push" && dispatch.params.branch) return `${repo} branch ${dispatch.params.branch}`;
  if (dispatch.kind === "pull_request" && dispatch.params.pr) return `${repo} pull ${dispatch.params.pr}`;
  return undefined;
}

export function chooseSuperseded(newer: NewerDispatch, older: readonly OpenDispatch[], mode: "queued" | "running"): Superseded[] {
  const line = lineOf(newer);
  if (line === undefined) return [];
  const chosen: Superseded[] = [];
  for (const candidate of older) {
    if (lineOf(candidate) !== line) continue;
    // The same commit built again on purpose (a rebuild) is not made pointless by itself.
    if (candidate.params.rev !== undefined && candidate.params.rev === newer.params.rev) continue;
    const running = candidate.runState === "running";
    if (running && mode !== "running") continue;
    const open = candidate.runState === "queued" || candidate.runState === "lost" || running
      || (candidate.runState === null && (candidate.status === "pending" || candidate.status === "running"));
    if (open) chosen.push({ dispatchId: candidate.id, now: running });
  }
  return chosen;
}
