// Did laminard queue it? For a laminarc attempt whose outcome is unknown (killed at
// laminar.timeout, its helper died, the service was killed during it), asked before the attempt is
// made again (DESIGN.md guarantee 3). laminard keeps every run it queued in its database with the
// LAMINAR_REASON it was given (reference/laminard-http.md), numbers only grow, and a run's own
// snapshot (`/jobs/JOB/N`) carries its `reason`, its `queued` time and the job's `latestNum`.

import { parseRunSnapshot, type Frame } from "./follow-events.ts";
import { laminardUrl } from "./follow-snapshot.ts";

/** The attempts of one dispatch whose outcome is unknown. */
export interface QueuedQuery {
  dispatchId: number;
  job: string;
  /** The dispatch's own `host:`; "" for laminar.host, the only Laminar laminar.http shows. */
  host: string;
  /** When the earliest of them started (ms since the epoch). */
  since: number;
  /** Whether a run's reason is one of theirs (attempt-reason.ts). */
  matches: (reason: string) => boolean;
}

export type QueuedAnswer =
  /** laminard queued it as `run` (`job:N`): follow that run, as if laminarc had answered. */
  | { kind: "queued"; run: string; how: string }
  /** laminard provably did not queue it, or cannot be asked at all (`unchecked`): queue it. */
  | { kind: "not-queued"; why: string; unchecked?: boolean }
  /** laminard cannot be asked now (unreachable, no answer): ask again later, do not queue it. */
  | { kind: "unknown"; why: string };

/**
 * laminard stamps `queued` in whole seconds of its own clock (the same machine's): a run queued
 * after the attempt started says at least this much before it.
 */
const CLOCK_SLACK_MS = 2000;
/** Runs read at most: more than this many runs of one job since the attempt started is unheard of. */
const MAX_READS = 500;

/**
 * Reads the job's runs from the newest down to the first one queued before `since`: a run whose
 * reason matches is the one the attempt queued; none means it queued nothing. `exclude`: runs
 * already recorded for the dispatch (earlier ones, lost in a restart, have a reason of their own).
 */
export async function findQueuedRun(input: {
  base: string;
  query: QueuedQuery;
  exclude: ReadonlySet<number>;
  read: (url: URL) => Promise<Frame>;
}): Promise<QueuedAnswer> {
  const { query } = input;
  const readRun = async (number: number) => parseRunSnapshot(await input.read(laminardUrl(input.base, `jobs/${query.job}/${number}`)));
  try {
    // Run 0 never exists: its snapshot gives the job's latest number, or says laminard has no run of it.
    const first = await readRun(0);
    if (first.kind === "unknown-job") return { kind: "not-queued", why: `laminard has no run of job ${query.job}` };
    const latest = first.latestNumber ?? 0;
    for (let number = latest, reads = 0; number >= 1; number -= 1) {
      if (input.exclude.has(number)) continue;
      if ((reads += 1) > MAX_READS) return { kind: "unknown", why: `more than ${MAX_READS} runs of ${query.job} since the attempt: not searched further` };
      const run = await readRun(number);
      if (run.kind !== "run") continue;
      if (run.reason !== undefined && query.matches(run.reason)) {
        return { kind: "queued", run: `${query.job}:${number}`, how: `laminard had queued it as ${query.job}:${number} (found by its reason)` };
      }
      if (run.queuedAt !== undefined && run.queuedAt < query.since - CLOCK_SLACK_MS) break;
    }
    return { kind: "not-queued", why: `laminard has no run of ${query.job} with its reason since the attempt started` };
  } catch (error) {
    return { kind: "unknown", why: `laminard cannot be asked whether it queued it (${error instanceof Error ? error.message : String(error)})` };
  }
}
