// The Laminar jobs the config can queue, each with where it is queued and the parameters it gets.

import { BUILT_IN_PARAMS, type Config } from "../../types.ts";

export interface ConfiguredJob {
  job: string;
  /** LAMINAR_HOST it is queued with: the rule's `host:`, else `laminar.host`. */
  host: string;
  /** The repositories whose rules name it, for the messages. */
  repos: readonly string[];
  /** Every parameter it may be given: the built-in ones and its rules' `params:`. */
  params: ReadonlySet<string>;
}

/** One entry per job and host, in the config's order. */
export function configuredJobs(config: Config): ConfiguredJob[] {
  const byKey = new Map<string, { job: string; host: string; repos: string[]; params: Set<string> }>();
  for (const repository of config.repositories) {
    for (const rule of repository.jobs) {
      const host = rule.host ?? config.laminar.host;
      const key = `${rule.job}\0${host}`;
      let entry = byKey.get(key);
      if (entry === undefined) {
        entry = { job: rule.job, host, repos: [], params: new Set(BUILT_IN_PARAMS) };
        byKey.set(key, entry);
      }
      if (!entry.repos.includes(repository.repo)) entry.repos.push(repository.repo);
      for (const name of Object.keys(rule.params)) entry.params.add(name);
    }
  }
  return [...byKey.values()];
}
