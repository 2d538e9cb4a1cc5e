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
