import type { RunStateChange } from "../journal/run-state.ts";
import { formatDuration } from "../config/units.ts";

/** GitHub refuses a longer description with 422 (reference/forges.md); GitLab takes 255. */
export const MAX_DESCRIPTION = 140;

/**
 * What a person reads next to the status: what happened, in at most 140 characters.
 * `Laminar run #42 passed in 1m 3s`, `Laminar job wiki could not be queued: …`.
 */
export function describeRun(change: RunStateChange): string {
  const run = change.runNumber === undefined ? `Laminar job ${change.job}` : `Laminar run #${change.runNumber}`;
  const took = change.durationMs === undefined ? "" : formatDuration(change.durationMs);
  switch (change.state) {
    case "queued":
      return cut(`${run} is queued`);
    case "running":
      return cut(`${run} is running`);
    case "success":
      return cut(took ? `${run} passed in ${took}` : `${run} passed`);
    case "failed":
      return cut(took ? `${run} failed after ${took}` : `${run} failed`);
    case "aborted":
      return cut(took ? `${run} was aborted after ${took}` : `${run} was aborted`);
    case "lost":
      return cut(`${run} ${change.reason ?? "was lost in a laminard restart; queued again"}`);
    case "error":
      return cut(`Laminar job ${change.job} could not be queued: ${oneLine(change.reason ?? "no reason given")}`);
  }
}

/** laminarc's messages may span lines; a status shows one. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** At most MAX_DESCRIPTION UTF-16 units (what GitHub counts), cut between characters, with "…". */
export function cut(text: string, max = MAX_DESCRIPTION): string {
  if (text.length <= max) return text;
  let out = "";
  for (const char of text) {
    if (out.length + char.length > max - 1) break;
    out += char;
  }
  return `${out}…`;
}
