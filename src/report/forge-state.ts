import type { RunState } from "../journal/run-state.ts";
import type { ForgeName } from "../types.ts";

// GitHub, Gitea and Forgejo know pending, success, failure and error; GitLab has its own words and
// a `running` of its own (reference/forges.md). An aborted run is `error` where there is no
// `canceled`, as Woodpecker does on GitHub: the build did not say the code is bad.
const GITHUB_STYLE: Readonly<Record<RunState, string>> = {
  queued: "pending",
  running: "pending",
  success: "success",
  failed: "failure",
  aborted: "error",
  error: "error",
  lost: "pending",
};

const GITLAB: Readonly<Record<RunState, string>> = {
  queued: "pending",
  running: "running",
  success: "success",
  failed: "failed",
  aborted: "canceled",
  error: "failed",
  lost: "pending",
};

/** The forge's state for a run's state. */
export function forgeState(forge: ForgeName, state: RunState): string {
  return forge === "gitlab" ? GITLAB[state] : GITHUB_STYLE[state];
}

/**
 * The state for a run a newer push aborted (`supersede`): the build did not say the code is good or
 * bad, and no run will follow for this commit. GitHub has only pending, success, failure and error:
 * `error`, "could not finish", as for any aborted run (success would lie, failure would blame the
 * code, pending would never end); the description says it was superseded. Gitea and Forgejo:
 * `warning`, a state of its own that is neither (their `skipped` is refused by older versions).
 * GitLab: `canceled`, what GitLab itself calls a redundant pipeline it cancels.
 */
export function supersededState(forge: ForgeName): string {
  if (forge === "gitlab") return "canceled";
  if (forge === "gitea" || forge === "forgejo") return "warning";
  return "error";
}
