// From what the spawn helper reports about one laminarc process to the AttemptResult the journal
// keeps: one place, also for an attempt that never reached a helper.

import type { AttemptResult, JobRequest } from "../types.ts";
import { LaminarArgumentError } from "./build-arguments.ts";
import { classifyResult } from "./classify-result.ts";
import type { Report } from "./helper-protocol.ts";
import type { RunOptions } from "./run-options.ts";

/** A helper's report, classified (reference/laminarc.md) and shaped as the journal keeps it. */
export function attemptFromReply(reply: Report, request: Pick<JobRequest, "job">, options: Pick<RunOptions, "laminarc" | "timeoutMs">): AttemptResult {
  const outcome = classifyResult({
    exitCode: reply.exitCode,
    signal: reply.signal,
    stdout: reply.stdout,
    stderr: reply.stderr,
    timedOut: reply.timedOut,
    canceled: reply.canceled,
    timeoutMs: options.timeoutMs,
    laminarc: options.laminarc,
    job: request.job,
    ...(reply.spawnError === undefined ? {} : { spawnError: reply.spawnError }),
  });
  return {
    outcome, exitCode: reply.exitCode, signal: reply.signal, stdout: reply.stdout, stderr: reply.stderr,
    durationMs: reply.durationMs, timedOut: reply.timedOut,
  };
}

/**
 * An attempt that failed before laminarc could start: a job that cannot be written as arguments
 * is permanent (no retry can make it pass); anything else unexpected is retried rather than lost.
 */
export function attemptThatThrew(error: unknown, durationMs: number): AttemptResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    outcome:
      error instanceof LaminarArgumentError
        ? { kind: "permanent", message: `the job cannot be passed to laminarc: ${message}` }
        : { kind: "retry", message: `laminarc could not be started: ${message}` },
    exitCode: null, signal: null, stdout: "", stderr: "", durationMs: Math.round(durationMs), timedOut: false,
  };
}
