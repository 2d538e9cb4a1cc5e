import type { Config } from "../types.ts";
import type { RunFacts } from "./follow-events.ts";
import { mergeFacts } from "./follow-settle.ts";

/** Facts kept for runs laminarc has not reported yet: the runs of a busy laminard come and go. */
const MAX_KNOWN = 4096;

/**
 * What the current connection to laminard said of runs (its snapshot, then its events), so that a
 * run whose events arrive before laminarc's `job:N` is recorded is placed at once. Each fact
 * carries a counter: a verdict reached from a snapshot gives way to any event newer than it.
 */
export class KnownRuns {
  #facts = new Map<string, KnownRun>();
  #seq = 0;

  /** The counter now: facts learned later have a higher one. */
  get seq(): number {
    return this.#seq;
  }

  /** Forgets everything: a new connection (to a laminard that may have restarted) starts afresh. */
  clear(): void {
    this.#facts = new Map();
  }

  /** `live`: from an event of this connection, not from its snapshot. */
  learn(facts: RunFacts, live = false): void {
    const key = `${facts.job}:${facts.number}`;
    const previous = this.#facts.get(key);
    this.#seq += 1;
    // Re-inserted, so the oldest entry is the one dropped when full.
    this.#facts.delete(key);
    const merged = mergeFacts(previous?.facts, facts);
    // Whether the result was seen as it happened: an abort told by an event is a person's.
    const resultLive = merged.state === previous?.facts.state ? (previous?.resultLive ?? false) : live;
    this.#facts.set(key, { facts: merged, seq: this.#seq, resultLive });
    if (this.#facts.size > MAX_KNOWN) this.#facts.delete(this.#facts.keys().next().value as string);
  }

  get(job: string, number: number): KnownRun | undefined {
    return this.#facts.get(`${job}:${number}`);
  }

  /** The newest run told of `job` whose reason `matches` (job_queued carries it), skipping `exclude`. */
  findByReason(job: string, matches: (reason: string) => boolean, exclude: ReadonlySet<number>): RunFacts | undefined {
    let found: RunFacts | undefined;
    for (const { facts } of this.#facts.values()) {
      if (facts.job === job && !exclude.has(facts.number) && facts.reason !== undefined && matches(facts.reason)) found = facts;
    }
    return found;
  }
}

export interface KnownRun {
  facts: RunFacts;
  seq: number;
  /** Its state (an `aborted` above all) came from a live event, not from a snapshot of the past. */
  resultLive: boolean;
}

const jobsOf = new WeakMap<Config, Set<string>>();

/** The job names a config can queue: only their runs are worth keeping facts about. */
export function configuredJobs(config: Config): Set<string> {
  let names = jobsOf.get(config);
  if (names === undefined) {
    names = new Set(config.repositories.flatMap((repository) => repository.jobs.map((rule) => rule.job)));
    jobsOf.set(config, names);
  }
  return names;
}
