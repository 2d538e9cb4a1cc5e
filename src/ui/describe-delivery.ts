// The sentences `show` prints about a delivery, shared with the deliveries page so that both say
// the same thing the same way. In ui, not cli: the CLI builds on the page's words (and starts the
// service that mounts the page), so the page must not import the CLI back.

import type { AttemptRecord, DispatchDetail } from "../journal/index.ts";
import type { TraceLine } from "../types.ts";
import { formatTime } from "./format-time.ts";

/** `✓ wiki: push to master matches master`. */
export function traceLine(line: TraceLine): string {
  return `${line.matched ? "✓" : "✗"} ${line.job}: ${line.reason}`;
}

/** `attempt at 2026-11-26 16:40:01: queued, exit 0, 18 ms`, with laminarc's message when it failed. */
export function attemptLine(attempt: AttemptRecord): string {
  // No exit code and no signal: laminarc never ran (it could not start, or laminard was only asked about an earlier attempt).
  const exit = attempt.signal ? `signal ${attempt.signal}` : attempt.exitCode === null ? "laminarc not run" : `exit ${attempt.exitCode}`;
  return `attempt at ${formatTime(attempt.startedAt)}: ${attempt.outcome}, ${exit}, ${attempt.durationMs} ms${attempt.message ? `: ${attempt.message}` : ""}`;
}

/** The command as it is run: `laminarc queue wiki "rev=3f2c1a9" "branch=master"`. */
export function queueCommand(dispatch: Pick<DispatchDetail, "job" | "params">): string {
  return `laminarc queue ${dispatch.job} ${Object.entries(dispatch.params).map(([k, v]) => JSON.stringify(`${k}=${v}`)).join(" ")}`;
}

/** `main` for `refs/heads/main`, `v1.2` for `refs/tags/v1.2`; other refs as they are. */
export function shortRef(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, "");
}
