import { fork, type ChildProcess } from "node:child_process";
import type { AttemptResult, JobRequest } from "../types.ts";
import { buildArguments, LaminarArgumentError } from "./build-arguments.ts";
import { buildEnvironment } from "./build-environment.ts";
import { classifyResult } from "./classify-result.ts";
import type { ResultMessage, RunMessage } from "./helper-protocol.ts";
import { MAX_OUTPUT_BYTES, type RunLaminarcOptions } from "./run-laminarc.ts";

/** Built (dist/laminar/…js) or run from the sources by tsx (src/laminar/…ts): the helper is beside this file. */
const FROM_SOURCES = import.meta.url.endsWith(".ts");
const HELPER = new URL(`./spawn-helper.${FROM_SOURCES ? "ts" : "js"}`, import.meta.url);

/**
 * The helper needs little memory: a small young generation keeps its resident size (and so the
 * cost of each fork it makes) down.
 */
const HELPER_FLAGS = ["--max-semi-space-size=1", "--max-old-space-size=32"];

/**
 * runLaminarc, but laminarc is started by a small long-lived helper process (spawn-helper.ts)
 * instead of by the service: starting a child blocks the starting process's event loop for
 * milliseconds, which would delay every HTTP answer under load. Same arguments, environment,
 * timeout, output limit, cancellation and classification as runLaminarc; it never rejects.
 * The helper is started on the first run and again if it ever dies.
 */
export class LaminarcHelper {
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #nextId = 1;
  /** Base environments (RunLaminarcOptions.env objects) already sent to the current helper. */
  #environments = new WeakMap<NodeJS.ProcessEnv, number>();
  #nextEnvKey = 1;
  /** Runs sent and not answered yet, with the helper each went to. */
  readonly #waiting = new Map<number, { child: ChildProcess; settle: (reply: ResultMessage) => void }>();

  /** One attempt, as runLaminarc: `laminarc queue JOB k=v…`, classified. */
  run(request: JobRequest, options: RunLaminarcOptions): Promise<AttemptResult> {
    const started = performance.now();
    let args: string[];
    try {
      args = buildArguments(request);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return Promise.resolve(notRun(
        error instanceof LaminarArgumentError
          ? { kind: "permanent", message: `the job cannot be passed to laminarc: ${message}` }
          : { kind: "retry", message: `laminarc could not be started: ${message}` },
        started,
      ));
    }
    if (options.cancelSignal?.aborted === true) {
      return Promise.resolve(notRun({ kind: "retry", message: "laminarc was stopped because laminar-hooks is shutting down; the job stays pending and is queued after the restart" }, started));
    }

    const id = this.#nextId++;
    const base = options.env ?? process.env;
    return new Promise<AttemptResult>((resolve) => {
      const onAbort = () => this.#child?.send({ type: "cancel", id });
      options.cancelSignal?.addEventListener("abort", onAbort, { once: true });
      const settle = (reply: ResultMessage) => {
        options.cancelSignal?.removeEventListener("abort", onAbort);
        resolve(toAttemptResult(reply, request, options));
      };
      try {
        const child = this.#helper();
        this.#waiting.set(id, { child, settle });
        child.channel?.ref();
        // buildEnvironment(request, base), in two parts: the base without LAMINAR_HOST and with
        // the variables laminarc must not see dropped, once; what this job sets, each time.
        let envKey = this.#environments.get(base);
        if (envKey === undefined) {
          envKey = this.#nextEnvKey++;
          this.#environments.set(base, envKey);
          child.send({ type: "env", key: envKey, env: buildEnvironment({ host: "", reason: "" }, base) });
        }
        const message: RunMessage = {
          type: "run", id, file: options.laminarc, args, envKey, setEnv: buildEnvironment(request, {}),
          timeoutMs: options.timeoutMs, maxOutputBytes: MAX_OUTPUT_BYTES,
        };
        child.send(message);
      } catch (error) {
        this.#waiting.delete(id);
        options.cancelSignal?.removeEventListener("abort", onAbort);
        resolve(notRun({ kind: "retry", message: `laminarc could not be started: ${error instanceof Error ? error.message : String(error)}` }, started));
      }
    });
  }

  /** Ends the helper (any laminarc still running is killed) and resolves once it has exited. */
  async close(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    // Held until it has exited: closing must not let the process end with the helper still there.
    child.ref();
    if (child.connected) child.disconnect();
    await this.#exited;
  }

  #helper(): ChildProcess {
    if (this.#child !== undefined) return this.#child;
    // A new helper knows no environment yet.
    this.#environments = new WeakMap();
    const child = fork(HELPER, [], {
      execArgv: [...HELPER_FLAGS, ...(FROM_SOURCES ? loaderFlags(process.execArgv) : [])],
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      serialization: "json",
    });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once("exit", () => resolve()));
    child.on("message", (reply: ResultMessage) => {
      const waiting = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      waiting?.settle(reply);
      // Idle: the helper must not keep the service alive by itself.
      if (this.#waiting.size === 0) child.channel?.unref();
    });
    child.on("error", () => {
      // Reported through `exit` (or a failed send); nothing else to do here.
    });
    // Once the channel is gone no result can come back (and the helper kills what it started):
    // the attempts it had are answered as retries, and the next run starts a new helper.
    const lost = (why: string) => {
      if (this.#child === child) this.#child = undefined;
      for (const [id, waiting] of [...this.#waiting]) {
        if (waiting.child !== child) continue;
        this.#waiting.delete(id);
        waiting.settle({
          type: "result", id, exitCode: null, signal: null, stdout: "", stderr: "", durationMs: 0, timedOut: false, canceled: false,
          spawnError: { message: `the helper that starts laminarc ${why}; whether laminarc ran is unknown` },
        });
      }
    };
    child.once("disconnect", () => lost("went away"));
    child.once("exit", (code, signal) => lost(`exited (${signal ?? `code ${code}`})`));
    child.unref();
    child.channel?.unref();
    return child;
  }
}

function toAttemptResult(reply: ResultMessage, request: JobRequest, options: RunLaminarcOptions): AttemptResult {
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

function notRun(outcome: AttemptResult["outcome"], started: number): AttemptResult {
  return { outcome, exitCode: null, signal: null, stdout: "", stderr: "", durationMs: Math.round(performance.now() - started), timedOut: false };
}

/** The flags that let Node load TypeScript (tsx in the tests), from the service's own. */
function loaderFlags(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i] ?? "";
    if (/^--(import|require|loader|experimental-loader)$/.test(flag) && i + 1 < execArgv.length) kept.push(flag, execArgv[++i] ?? "");
    else if (/^--(import|require|loader|experimental-loader)=/.test(flag)) kept.push(flag);
  }
  return kept;
}
