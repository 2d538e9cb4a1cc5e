import type { JobRequest } from "../types.ts";

/**
 * Linux refuses one argument longer than this (MAX_ARG_STRLEN, 32 pages, the closing NUL
 * included) with E2BIG; see reference/laminarc.md "Parameters".
 */
export const MAX_ARGUMENT_BYTES = 128 * 1024;

/** A job request that cannot be written as laminarc arguments: no retry can make it pass. */
export class LaminarArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LaminarArgumentError";
  }
}

/**
 * The argv of `laminarc queue` for one job, one job per call, so that each dispatch gets its own
 * run number and its own error (a multi-job call is not atomic and exits 2 for any one failure).
 * Values are passed verbatim; only what laminarc's own parsing would silently change is refused.
 */
export function buildArguments(request: Pick<JobRequest, "job" | "params">): string[] {
  const { job } = request;
  if (job === "") throw new LaminarArgumentError("the job name is empty");
  // laminarc takes any argument with `=` as a parameter, so such a job name would never be queued.
  if (job.includes("=")) throw new LaminarArgumentError(`the job name "${job}" contains "=", which laminarc reads as a parameter`);
  if (job.includes("\0")) throw new LaminarArgumentError(`the job name ${JSON.stringify(job)} contains a NUL character`);

  const args = ["queue", job];
  for (const [name, value] of Object.entries(request.params)) {
    // laminarc splits at the first `=` and drops an empty name: both would change the parameter.
    if (name === "") throw new LaminarArgumentError(`job "${job}" has a parameter with an empty name, which Laminar drops`);
    if (name.includes("=")) throw new LaminarArgumentError(`the parameter name "${name}" of job "${job}" contains "="`);
    if (name.includes("\0") || value.includes("\0")) {
      throw new LaminarArgumentError(`the parameter "${name}" of job "${job}" contains a NUL character, which no program argument can carry`);
    }
    const argument = `${name}=${value}`;
    if (Buffer.byteLength(argument, "utf8") + 1 > MAX_ARGUMENT_BYTES) {
      throw new LaminarArgumentError(`the parameter "${name}" of job "${job}" is longer than the 128 KiB Linux allows for one argument`);
    }
    args.push(argument);
  }
  return args;
}

/** The argv of `laminarc abort JOB N`, which takes the job name verbatim and N through atoi(). */
export function buildAbortArguments(job: string, run: number): string[] {
  if (job === "") throw new LaminarArgumentError("the job name is empty");
  if (job.includes("\0")) throw new LaminarArgumentError(`the job name ${JSON.stringify(job)} contains a NUL character`);
  // atoi() would read "1.5" as 1 and "x" as 0: abort the wrong run, or none.
  if (!Number.isSafeInteger(run) || run < 1 || run > 0x7fffffff) throw new LaminarArgumentError(`${String(run)} is not a run number`);
  return ["abort", job, String(run)];
}
