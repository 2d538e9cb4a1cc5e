import type { DispatchFacts, NewStatusPost } from "../journal/status-outbox.ts";
import type { RunStateChange } from "../journal/run-state.ts";
import { runPageUrl } from "../laminar/run-url.ts";
import type { Config } from "../types.ts";
import { cut, describeRun } from "./describe-run.ts";
import { forgeState, supersededState } from "./forge-state.ts";
import { renderContext } from "./status-context.ts";
import { statusTarget } from "./status-target.ts";

/**
 * The status a run's change should post on its commit, or undefined when none: no commit (`rev`),
 * no repository, or no token, API or `status: false` for it (statusTarget). Pure.
 */
export function planStatus(change: RunStateChange, facts: DispatchFacts, config: Config): NewStatusPost | undefined {
  const sha = facts.params.rev;
  const repo = facts.repo;
  if (sha === undefined || sha === "" || repo === null) return undefined;
  if (statusTarget(config, facts.forge, repo) === undefined) return undefined;
  const context = renderContext(config.status.context, { job: facts.job, event: facts.event, forge: facts.forge, repo });
  const base = config.laminar.baseUrl;
  const ref = facts.params.branch || facts.params.tag;
  const superseded = change.state === "aborted" && facts.supersededBy !== undefined;
  return {
    dispatchId: change.dispatchId,
    forge: facts.forge,
    repo,
    sha,
    context,
    job: facts.job,
    runState: change.state,
    state: superseded ? supersededState(facts.forge) : forgeState(facts.forge, change.state),
    description: superseded ? cut(`Superseded by ${facts.supersededBy!.slice(0, 7)}: ${describeRun(change)}`) : describeRun(change),
    ...(ref ? { ref } : {}),
    ...(change.runNumber !== undefined ? { runNumber: change.runNumber } : {}),
    ...(change.runNumber !== undefined && base !== undefined
      ? { targetUrl: runPageUrl(base, facts.job, change.runNumber) }
      : {}),
  };
}
