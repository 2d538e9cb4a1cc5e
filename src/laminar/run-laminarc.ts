import { execa } from "execa";
import type { AttemptResult, JobRequest } from "../types.ts";
import { buildArguments, LaminarArgumentError } from "./build-arguments.ts";
import { buildEnvironment } from "./build-environment.ts";
import { classifyResult } from "./classify-result.ts";

/** laminarc prints one short line per job; more than this means it is not laminarc talking. */
export const MAX_OUTPUT_BYTES = 64 * 1024;

/** What one attempt needs besides the job: taken from LaminarConfig at the time of the attempt. */
export interface RunLaminarcOptions {
  /** `laminar.laminarc`: a name on PATH or an absolute path. */
  laminarc: string;
  /** laminarc has no timeout of its own and blocks forever on a frozen laminard. */
  timeoutMs: number;
  /** The environment laminarc's is built from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Aborting kills laminarc at once (shutdown), so no child outlives the service. */
  cancelSignal?: AbortSignal;
}

/**
 * One attempt to queue one job: `laminarc queue JOB k=v…`, without a shell, bounded in time and
 * output, and classified. It never rejects, so a dispatcher always has an outcome to record.
 */
export async function runLaminarc(request: JobRequest, options: RunLaminarcOptions): Promise<AttemptResult> {
  const started = performance.now();
  try {
    const args = buildArguments(request);
    const result = await execa(options.laminarc, args, {
      reject: false,
      timeout: options.timeoutMs,
      env: buildEnvironment(request, options.env),
      extendEnv: false,
      stdin: "ignore",
      // laminarc holds nothing worth cleaning up, and a SIGSTOPped one would ignore SIGTERM.
      killSignal: "SIGKILL",
      forceKillAfterDelay: false,
      maxBuffer: MAX_OUTPUT_BYTES,
      encoding: "utf8",
      windowsHide: true,
      // Kill the child if this process exits unexpectedly: no orphans (DESIGN.md, guarantee 4).
      cleanup: true,
      ...(options.cancelSignal === undefined ? {} : { cancelSignal: options.cancelSignal }),
    });

    const stdout = typeof result.stdout === "string" ? result.stdout : "";
    const stderr = typeof result.stderr === "string" ? result.stderr : "";
    const exitCode = result.exitCode ?? null;
    const signal = result.signal ?? null;
    const spawned = exitCode !== null || signal !== null || result.timedOut || result.isCanceled;
    const outcome = classifyResult({
      exitCode,
      signal,
      stdout,
      stderr,
      timedOut: result.timedOut,
      canceled: result.isCanceled,
      timeoutMs: options.timeoutMs,
      laminarc: options.laminarc,
      job: request.job,
      ...(spawned ? {} : { spawnError: spawnErrorOf(result) }),
    });
    return { outcome, exitCode, signal, stdout, stderr, durationMs: Math.round(result.durationMs), timedOut: result.timedOut };
  } catch (error) {
    // buildArguments refuses what laminarc would mangle; anything else thrown here (execa refusing
    // its options, say) is unexpected and retried rather than lost.
    const message = error instanceof Error ? error.message : String(error);
    return {
      outcome:
        error instanceof LaminarArgumentError
          ? { kind: "permanent", message: `the job cannot be passed to laminarc: ${message}` }
          : { kind: "retry", message: `laminarc could not be started: ${message}` },
      exitCode: null,
      signal: null,
      stdout: "",
      stderr: "",
      durationMs: Math.round(performance.now() - started),
      timedOut: false,
    };
  }
}

function spawnErrorOf(result: { code?: unknown; originalMessage?: unknown; shortMessage?: unknown }): { code?: string; message: string } {
  const message = typeof result.originalMessage === "string" ? result.originalMessage : String(result.shortMessage ?? "unknown error");
  return typeof result.code === "string" ? { code: result.code, message } : { message };
}
