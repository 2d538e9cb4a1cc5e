// `laminarc show-jobs` once, for doctor.

import { execa } from "execa";
import { buildEnvironment, type LaminarcExit } from "../../laminar/index.ts";

/**
 * Runs `laminarc show-jobs` against `host`, bounded by `timeoutMs` (laminarc has no timeout of its
 * own and blocks for ever on a frozen laminard: reference/laminarc.md). Through execa, not the
 * service's spawn helper (src/laminar/laminarc-helper.ts): the helper exists so that forks do not
 * block the service's event loop while it answers hooks; doctor is a one-off CLI process with
 * nothing to keep responsive, so STYLE.md point 6's "everything else" launcher fits. Never rejects.
 */
export async function showJobs(laminarc: string, host: string, options: { timeoutMs: number; env: NodeJS.ProcessEnv }): Promise<LaminarcExit> {
  // The environment the dispatcher gives laminarc (JOB, RUN and __LAMINAR_SETENV_PIPE dropped), without a reason.
  const env = buildEnvironment({ host, reason: "" }, options.env);
  delete env["LAMINAR_REASON"];
  const result = await execa(laminarc, ["show-jobs"], {
    reject: false,
    timeout: options.timeoutMs,
    env,
    extendEnv: false,
    stdin: "ignore",
    killSignal: "SIGKILL",
    forceKillAfterDelay: false,
    maxBuffer: 1024 * 1024,
    encoding: "utf8",
    cleanup: true,
  });
  const started = result.exitCode !== undefined || result.signal !== undefined || result.timedOut;
  return {
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    stdout: String(result.stdout ?? ""),
    stderr: String(result.stderr ?? ""),
    timedOut: result.timedOut,
    timeoutMs: options.timeoutMs,
    laminarc,
    ...(started ? {} : { spawnError: { ...(typeof result.code === "string" ? { code: result.code } : {}), message: String(result.originalMessage ?? result.message) } }),
  };
}
