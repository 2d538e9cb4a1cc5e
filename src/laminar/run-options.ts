/** laminarc prints one short line per job; more than this means it is not laminarc talking. */
export const MAX_OUTPUT_BYTES = 64 * 1024;

/** What one attempt needs besides the job: taken from LaminarConfig at the time of the attempt. */
export interface RunOptions {
  /** `laminar.laminarc`: a name on PATH or an absolute path. */
  laminarc: string;
  /** laminarc has no timeout of its own and blocks forever on a frozen laminard. */
  timeoutMs: number;
  /**
   * LAMINAR_HOST for a call that has no JobRequest to carry it (`abort`): the job's `host:` or
   * `laminar.host`; absent, laminarc's default. `run` takes it from the request.
   */
  host?: string;
  /** The environment laminarc's is built from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Aborting kills laminarc at once (shutdown), so no child outlives the service. */
  cancelSignal?: AbortSignal;
}
