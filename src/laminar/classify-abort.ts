// What one `laminarc abort JOB N` means (reference/laminarc.md "Aborting", Laminar's
// src/client.cpp): pure, like classify-result.ts for `queue`, whose messages it reuses for the
// failures both calls share (laminard unreachable, laminarc missing, killed at the timeout).

import { classifyResult, type LaminarcExit } from "./classify-result.ts";

/** How an abort ended, for the page that asked for it. */
export type AbortResult =
  /** Exit 0: the run was running and laminard aborted it (it ends `aborted`). */
  | { kind: "aborted" }
  /**
   * Exit 2 and nothing printed: laminard has no such run running. A queued run (Laminar cannot
   * drop one) is aborted by the caller when it starts; a finished or unknown one needs nothing.
   */
  | { kind: "not-running"; message: string }
  /**
   * laminard was not reached or did not answer (`timedOut`: killed at `laminar.timeout`), or
   * laminarc could not run: whether the run was aborted is not known.
   */
  | { kind: "failed"; message: string; timedOut: boolean };

/** One abort, as the helper reported it. */
export function classifyAbort(exit: LaminarcExit & { run: number }): AbortResult {
  const name = `${exit.job ?? "the job"}:${exit.run}`;
  const ended = exit.spawnError === undefined && exit.canceled !== true && !exit.timedOut && exit.signal === null;
  // laminarc prints nothing when laminard answers "no": only then is exit 2 an answer about the run.
  if (ended && exit.exitCode === 0) return { kind: "aborted" };
  if (ended && exit.exitCode === 2 && exit.stderr.trim() === "") {
    return { kind: "not-running", message: `laminard has no run ${name} running (it is queued, finished or unknown); nothing was aborted` };
  }
  if (exit.canceled === true) {
    return { kind: "failed", message: `laminarc abort ${name} was stopped because laminar-hooks is shutting down`, timedOut: false };
  }
  const outcome = classifyResult(exit);
  const message = outcome.kind === "queued" ? `laminarc abort ${name} exited ${exit.exitCode ?? "?"}` : outcome.message;
  return { kind: "failed", message, timedOut: exit.timedOut };
}
