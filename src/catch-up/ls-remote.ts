import { execa } from "execa";
import { parseLsRemote, type RemoteHeads } from "./parse-ls-remote.ts";
import { redactUrl } from "./redact-url.ts";

/** git's own output for one repository's heads is small; more means something else is talking. */
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

export interface LsRemoteOptions {
  /** `git`, or a path; tests may point elsewhere. */
  git?: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cancelSignal?: AbortSignal;
}

export type LsRemoteResult =
  | { ok: true; heads: RemoteHeads }
  /** Why, in git's words, with any URL in them redacted. */
  | { ok: false; reason: string };

/**
 * The branch and tag heads of a remote: `git ls-remote --heads --tags URL`, without a shell,
 * bounded in time, never prompting (a prompt would hang the pass; credentials are git's own: the
 * service user's SSH key or credential helper). Never rejects.
 */
export async function lsRemote(remote: string, options: LsRemoteOptions): Promise<LsRemoteResult> {
  // `--` and the URL last: a remote that starts with `-` is a URL, never an option.
  const result = await execa(options.git ?? "git", ["ls-remote", "--heads", "--tags", "--", remote], {
    reject: false,
    timeout: options.timeoutMs,
    env: {
      ...(options.env ?? process.env),
      GIT_TERMINAL_PROMPT: "0",
      // git's messages in English, for the log and `catch-up`.
      LC_ALL: "C",
    },
    extendEnv: false,
    stdin: "ignore",
    killSignal: "SIGKILL",
    forceKillAfterDelay: false,
    maxBuffer: MAX_OUTPUT_BYTES,
    encoding: "utf8",
    cleanup: true,
    ...(options.cancelSignal === undefined ? {} : { cancelSignal: options.cancelSignal }),
  });
  if (result.exitCode === 0 && !result.timedOut) return { ok: true, heads: parseLsRemote(String(result.stdout)) };
  return { ok: false, reason: failureReason(result, remote, options.timeoutMs) };
}

function failureReason(
  result: { timedOut: boolean; isCanceled: boolean; exitCode?: number | undefined; stderr?: unknown; originalMessage?: unknown; isMaxBuffer?: boolean },
  remote: string, timeoutMs: number,
): string {
  if (result.timedOut) return `git ls-remote did not answer within ${timeoutMs} ms`;
  if (result.isCanceled) return "git ls-remote was stopped (the service is stopping)";
  if (result.isMaxBuffer) return "git ls-remote printed more than 32 MB";
  const stderr = typeof result.stderr === "string" ? result.stderr.trim() : "";
  const said = stderr !== "" ? stderr : typeof result.originalMessage === "string" ? result.originalMessage : "no message";
  // git repeats the URL in its messages (`fatal: repository 'https://user:pw@…' not found`).
  const clean = said.split(remote).join(redactUrl(remote)).replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, "$1");
  return `git ls-remote failed${result.exitCode === undefined ? "" : ` (exit ${result.exitCode})`}: ${clean.split("\n").map((line) => line.trim()).filter(Boolean).join(" ").slice(0, 500)}`;
}
