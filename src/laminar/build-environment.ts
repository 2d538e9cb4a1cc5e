import type { JobRequest } from "../types.ts";

/**
 * Variables that make laminarc behave as if it ran inside a Laminar run (laminar-hooks may be
 * started from one): `JOB` and `RUN` record the new run as a child of that run, and
 * `__LAMINAR_SETENV_PIPE` changes laminarc's output so the run number cannot be read.
 */
const DROPPED_VARIABLES: readonly string[] = ["JOB", "RUN", "__LAMINAR_SETENV_PIPE"];

/**
 * laminarc's environment: the base one without the variables above, with `LAMINAR_HOST` (where
 * laminard listens) and `LAMINAR_REASON` (shown on the run's page) set for this job.
 */
export function buildEnvironment(
  request: Pick<JobRequest, "host" | "reason">,
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !DROPPED_VARIABLES.includes(name)) environment[name] = value;
  }
  // An empty host would make laminarc fail to connect; without the variable it uses its default.
  if (request.host === "") delete environment["LAMINAR_HOST"];
  else environment["LAMINAR_HOST"] = request.host;
  // An environment variable cannot carry NUL; everything else in the reason is kept as written.
  environment["LAMINAR_REASON"] = request.reason.replaceAll("\0", "");
  return environment;
}
