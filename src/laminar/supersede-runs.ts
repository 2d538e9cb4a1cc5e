// `supersede:` of a job: when a newer push of a branch (or pull request) is queued for the job, its
// older runs of that branch are marked superseded in the same transaction (run_aborts, which the
// commit status reads to say "superseded by SHORTSHA"), and aborted by the RunAborter: when they
// start, or at once while running with `supersede: running`.

import type { PageActions } from "../journal/index.ts";
import type { RunStateListener } from "../journal/run-state.ts";
import type { DispatchFacts } from "../journal/status-outbox.ts";
import { findRepository } from "../routing/index.ts";
import type { Config } from "../types.ts";
import { chooseSuperseded } from "./supersede-choice.ts";

interface SupersedeOptions {
  actions: PageActions;
  getConfig: () => Config;
  dispatchFacts(dispatchId: number): DispatchFacts | undefined;
  /** Aborts the dispatch's running run now (RunAborter.asked), after the transaction. */
  abortNow(dispatchId: number): void;
}

export function createSupersedeListener(options: SupersedeOptions): RunStateListener {
  return (change) => {
    if (change.state !== "queued") return;
    const facts = options.dispatchFacts(change.dispatchId);
    const sha = facts?.params.rev;
    if (facts === undefined || facts.repo === null || sha === undefined) return;
    const repository = findRepository(options.getConfig(), facts.forge, facts.repo);
    const mode = repository?.jobs.find((rule) => rule.job === facts.job)?.supersede;
    if (mode === undefined) return;
    const chosen = chooseSuperseded(
      { repo: facts.repo, kind: facts.event, params: facts.params },
      options.actions.olderOpen(change.dispatchId, facts.job),
      mode,
    );
    const now: number[] = [];
    for (const older of chosen) {
      if (options.actions.supersede(older.dispatchId, sha, change.at) && older.now) now.push(older.dispatchId);
    }
    if (now.length > 0) setImmediate(() => now.forEach((dispatchId) => options.abortNow(dispatchId)));
  };
}
