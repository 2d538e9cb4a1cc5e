import type { RunRecord } from "../journal/runs.ts";
import { runPageUrl } from "../laminar/run-url.ts";
import { formatDuration } from "../config/units.ts";
import { formatTime } from "./format-time.ts";

/** `success`, `running`, or `lost → job:43`: a run's state as `deliveries` and `show` print it. */
export function formatRunState(run: RunRecord): string {
  return run.state === "lost" && run.requeuedAs !== null ? `lost → ${run.requeuedAs}` : run.state;
}

/** One line of `show` about a run: its state, its times, how long it took, and its link. */
export function formatRunLine(run: RunRecord, baseUrl: string | undefined): string {
  const name = `${run.job}:${run.number}`;
  const link = baseUrl === undefined ? "" : ` ${runPageUrl(baseUrl, run.job, run.number)}`;
  const note = run.note === null ? "" : `\n    ${run.note}`;
  return `  run ${name} ${formatRunState(run)}: ${formatRunTimes(run)}${link}${note}`;
}

/** `queued …, started …, completed … UTC (1m 3s)`: a run's times as `show` and the page give them. */
export function formatRunTimes(run: RunRecord): string {
  const times = [`queued ${formatTime(run.queuedAt)}`];
  if (run.startedAt !== null) times.push(`started ${formatTime(run.startedAt)}`);
  if (run.completedAt !== null) times.push(`${run.state === "lost" ? "lost" : "completed"} ${formatTime(run.completedAt)}`);
  const took = runDuration(run);
  return `${times.join(", ")} UTC${took === undefined ? "" : ` (${formatDuration(took)})`}`;
}

/** How long a run with a result took, in ms; a lost run has no result. */
export function runDuration(run: RunRecord): number | undefined {
  return run.startedAt !== null && run.completedAt !== null && run.state !== "lost" ? run.completedAt - run.startedAt : undefined;
}
