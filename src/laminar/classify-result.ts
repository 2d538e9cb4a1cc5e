import { formatDuration } from "../config/units.ts";
import type { AttemptOutcome } from "../types.ts";

/** How one laminarc process ended, as far as laminar-hooks can see it. */
export interface LaminarcExit {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Killed by laminar-hooks because it did not answer within the timeout. */
  timedOut: boolean;
  /** The process could not be started at all (`ENOENT`, `EACCES`, `E2BIG`, …). */
  spawnError?: { code?: string; message: string };
  /** Killed by laminar-hooks because the service is stopping. */
  canceled?: boolean;
  /** The timeout it was given, for the message. */
  timeoutMs?: number;
  /** The command that was run (`laminar.laminarc`), for the message when it cannot start. */
  laminarc?: string;
  /** The job queued, to pick its run from the output. */
  job?: string;
}

/**
 * LaminarcExit.spawnError.code when the helper that started laminarc died with it in flight: the
 * attempt's outcome is unknown (laminarc-helper.ts).
 */
export const HELPER_LOST = "HELPER_LOST";

/** laminarc prints `NAME:NUMBER` a line per queued job (src/client.cpp, printTriggerLink). */
const RUN_LINE = /^(.+):(\d+)$/;
/** Keeps a message readable in a log line and in `show`, whatever laminarc printed. */
const MAX_QUOTED = 500;

/**
 * What one laminarc attempt means for its dispatch. Pure, so every row of reference/laminarc.md
 * is tested without a process. Anything not known to be hopeless is retried: the delivery was
 * acknowledged, and dropping it on an error nobody anticipated would lose a build.
 */
export function classifyResult(exit: LaminarcExit): AttemptOutcome {
  const stderr = exit.stderr.trim();
  const said = stderr === "" ? "" : `: ${quote(stderr)}`;

  // laminarc may have reached laminard before it was cut short: whether the job was queued is
  // unknown, and laminard is asked before it is queued again (DESIGN.md guarantee 3).
  if (exit.spawnError?.code === HELPER_LOST) return unknown(exit.spawnError.message);
  if (exit.spawnError !== undefined) return classifySpawnError(exit.spawnError, exit.laminarc ?? "laminarc");
  if (exit.canceled === true) {
    const message = "laminarc was stopped because laminar-hooks is shutting down; the job stays pending and is queued after the restart";
    // Killed while it ran (not refused before it started): it may have queued the job.
    return exit.signal !== null ? unknown(message) : retry(message);
  }
  if (exit.timedOut) {
    const limit = exit.timeoutMs === undefined ? "its timeout" : formatDuration(exit.timeoutMs);
    return unknown(`laminarc did not answer within ${limit}; killed. laminard may be frozen or overloaded${said}`);
  }
  if (exit.signal !== null) return unknown(`laminarc was killed by ${exit.signal}${said}`);

  if (exit.exitCode === 0) {
    const run = findRun(exit.stdout, exit.job);
    if (run !== undefined) return { kind: "queued", run };
    // It said it worked: whether laminard queued something is for laminard to tell.
    return unknown(
      `laminarc exited 0 but printed no run number (expected a line "job:N"); is laminar.laminarc Laminar's client? It printed: ${quote(exit.stdout.trim() || "nothing")}`,
    );
  }

  if (/Failed to queue job/.test(stderr)) {
    const job = exit.job === undefined ? "the job" : `job "${exit.job}"`;
    return permanent(`Laminar does not know ${job}: create cfg/jobs/${exit.job ?? "NAME"}.run on the Laminar server or fix the job name in the config (laminarc said${said})`);
  }
  if (/remote exception/.test(stderr)) return permanent(`laminard refused the request${said}`);

  const connect = /connect\(\): *(.*)/.exec(stderr);
  if (connect !== null) return retry(`${connectAdvice(connect[1] ?? "")} (laminarc said${said})`);
  if (/DNS lookup failed/.test(stderr)) {
    return retry(`laminarc cannot resolve LAMINAR_HOST: check laminar.host in the config (laminarc said${said})`);
  }
  if (exit.exitCode === 1) return permanent(`laminarc rejected its arguments (exit 1, usage)${said}`);

  // Any other failure may come after laminard queued the run (its connection dropped as laminard
  // restarted, say): asked before it is made again. Only a refused connection is sure to have queued nothing.
  return unknown(`laminarc failed with exit code ${exit.exitCode ?? "unknown"}${said || " and printed nothing"}`);
}

function classifySpawnError(error: { code?: string; message: string }, laminarc: string): AttemptOutcome {
  switch (error.code) {
    case "ENOENT":
      return retry(
        `laminarc could not be started: "${laminarc}" was not found. Install Laminar's client on this machine or set laminar.laminarc to its absolute path`,
      );
    case "EACCES":
      return retry(
        `laminarc could not be started: "${laminarc}" is not executable by this user (permission denied). Check laminar.laminarc and the file's mode`,
      );
    case "E2BIG":
      return permanent(`laminarc could not be started: its arguments and environment are larger than the system allows (E2BIG)`);
    default:
      return retry(`laminarc could not be started: ${error.message}`);
  }
}

/** What each `connect()` failure of reference/laminarc.md means for whoever runs the service. */
function connectAdvice(reason: string): string {
  if (/refused/i.test(reason)) return "laminard is not running (its socket is left behind, connection refused)";
  if (/no such file/i.test(reason)) return "laminard is not running or laminar.host is wrong (no socket)";
  if (/permission denied/i.test(reason)) {
    return "laminar-hooks may not connect to laminard's socket (permission denied): add its user to laminard's group";
  }
  return `laminarc cannot connect to laminard (${reason.trim()})`;
}

function findRun(stdout: string, job: string | undefined): string | undefined {
  let first: string | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    const match = RUN_LINE.exec(line.trim());
    if (match === null) continue;
    if (job === undefined || match[1] === job) return match[0];
    first ??= match[0];
  }
  return first;
}

function quote(text: string): string {
  const oneLine = text.replace(/\s*\n\s*/g, " / ");
  return oneLine.length <= MAX_QUOTED ? oneLine : `${oneLine.slice(0, MAX_QUOTED)}…`;
}

function retry(message: string): AttemptOutcome {
  return { kind: "retry", message };
}

/** Retried once laminard has been asked whether it queued the job anyway. */
function unknown(message: string): AttemptOutcome {
  return { kind: "retry", message, unknown: true };
}

function permanent(message: string): AttemptOutcome {
  return { kind: "permanent", message };
}
