// One catch-up pass over the polled repositories: ask every remote, wait the grace once for the
// webhooks of what moved, then turn what no delivery brought into deliveries.

import type { CatchUpStore } from "../journal/catch-up-store.ts";
import type { Config } from "../types.ts";
import { gitHubApi } from "../forges/github/api-client.ts";
import { gitLabApi } from "../forges/gitlab/api-client.ts";
import type { HookLog } from "../forges/shared/hook-log.ts";
import type { LsRemoteResult } from "./ls-remote.ts";
import { awaitsDelivery, inspectRepository, settleRepository, type PolledRepository, type RepositoryReport } from "./poll-repository.ts";
import type { ReceiveServices } from "./receive-polled.ts";
import { redeliverRepository, redeliverTargets, type RedeliverReport, type RedeliverTarget } from "./redeliver-repository.ts";

/** GitHub allows 80 content-creating requests a minute; the rest of a long outage waits a pass (GitLab: 5 a minute per hook, redeliver-repository.ts). */
export const MAX_REDELIVERIES_PER_PASS = 30;
const FORGET_ASKED_AFTER_MS = 8 * 86_400_000;

export interface PassDeps {
  config: Config;
  store: CatchUpStore;
  services: ReceiveServices;
  listHeads: (remote: string) => Promise<LsRemoteResult>;
  /** How long a head that moved is left to its webhook before the poll builds it. */
  graceMs: number;
  /** Resolves after `ms`; rejects when the pass is to stop (the service is stopping). */
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** The forge's webhook log of a repository; default: the real API at its `api`. */
  hookLog?: (target: RedeliverTarget) => HookLog;
  /** Aborts the forge API requests in flight: the service is stopping. */
  signal?: AbortSignal;
}

interface PassOptions {
  /** Only this repository (its name, without case). */
  repo?: string;
  /** Report what would be done; change nothing. */
  dryRun?: boolean;
  /** Told once the remotes were asked, when the pass waits for webhooks (the CLI says so). */
  onGrace?: (ms: number) => void;
}

export interface PassReport {
  /** Failed deliveries the forges (GitHub, GitLab) were asked to send again, by repository. */
  redeliveries: RedeliverReport[];
  polls: RepositoryReport[];
}

/** The real API of the target's forge; `signal` aborts its requests in flight. */
function hookLogOf(target: RedeliverTarget, signal: AbortSignal | undefined): HookLog {
  const api = target.forge === "gitlab" ? gitLabApi() : gitHubApi();
  return api.hookLog!(target, target.repo, signal === undefined ? {} : { signal });
}

/** The repositories a pass polls; `repo` narrows it to one. */
export function polledRepositories(config: Config, repo?: string): PolledRepository[] {
  const wanted = repo?.toLowerCase();
  return config.repositories.filter((entry): entry is PolledRepository =>
    entry.poll !== undefined && entry.forge !== undefined && (wanted === undefined || entry.repo.toLowerCase() === wanted));
}

/**
 * Redelivery first: what a forge sends again arrives while the polls wait their grace, so the push
 * is built from its webhook (changed files, commit message), and the poll finds it delivered.
 */
export async function runPass(deps: PassDeps, options: PassOptions = {}): Promise<PassReport> {
  const budget = { left: MAX_REDELIVERIES_PER_PASS };
  // GitHub Enterprise and GitLab keep deliveries 7 days: one asked for 8 days ago cannot be listed again. Kept
  // as long as the journal keeps deliveries, for `deliveries` to mark the redelivered ones.
  if (!options.dryRun) deps.store.forgetAsked(deps.now() - Math.max(FORGET_ASKED_AFTER_MS, deps.config.journal.retentionMs));
  const redeliveries: RedeliverReport[] = [];
  for (const target of redeliverTargets(deps.config, options.repo)) {
    const client = deps.hookLog ? deps.hookLog(target) : hookLogOf(target, deps.signal);
    redeliveries.push(await redeliverRepository(target, { store: deps.store, client, now: deps.now, dryRun: options.dryRun === true, budget }));
  }
  const inspections = [];
  // One remote at a time: each is one short git process, and the machine has other work.
  for (const repository of polledRepositories(deps.config, options.repo)) {
    inspections.push(await inspectRepository(repository, deps.store, deps.listHeads, deps.now));
  }
  if (!options.dryRun && inspections.some((inspection) => awaitsDelivery(inspection, deps.store))) {
    // A webhook sent with the push usually arrives within a second or two: it carries what a poll
    // cannot see (changed files, the commit message for [skip ci]), so it should win.
    const last = Math.max(...inspections.map((inspection) => (inspection.kind === "failed" ? 0 : inspection.state.polledAt)));
    const wait = Math.max(0, last + deps.graceMs - deps.now());
    options.onGrace?.(wait);
    if (wait > 0) await deps.sleep(wait);
  }
  const polls: RepositoryReport[] = [];
  for (const inspection of inspections) {
    polls.push(await settleRepository(inspection, { store: deps.store, services: deps.services, dryRun: options.dryRun === true }));
  }
  return { redeliveries, polls };
}
