import type { AttemptResult, JobRequest } from "../types.ts";
import { buildAbortArguments, buildArguments } from "./build-arguments.ts";
import { buildEnvironment } from "./build-environment.ts";
import { startHelper, type HelperChannel, type HelperOptions } from "./helper-channel.ts";
import { classifyAbort, type AbortResult } from "./classify-abort.ts";
import { notStarted, type Report, type RunMessage } from "./helper-protocol.ts";
import { MAX_OUTPUT_BYTES, type RunOptions } from "./run-options.ts";
import { attemptFromReply, attemptThatThrew } from "./shape-result.ts";
import { HELPER_LOST } from "./classify-result.ts";

/**
 * The one way laminar-hooks starts laminarc (`laminarc queue JOB k=v…`, `laminarc abort JOB N`), without a shell, bounded
 * in time and output, cancellable, classified; it never rejects, so a dispatcher always has an
 * outcome to record. laminarc is started by a small long-lived helper process instead of by the
 * service: starting a child blocks the starting process's event loop for milliseconds, which
 * would delay every HTTP answer under load. The helper (spawn-helper.c, see helper-channel.ts) is
 * started by start() or the first run, checked with a handshake, and started again if it ever dies.
 */
export class LaminarcHelper {
  readonly #options: HelperOptions;
  #channel: HelperChannel | undefined;
  #nextId = 1;
  /** Base environments (RunOptions.env objects) already sent to the current helper. */
  #environments = new WeakMap<NodeJS.ProcessEnv, number>();
  #nextEnvKey = 1;
  /** Runs sent and not answered yet, with the helper each went to. */
  readonly #waiting = new Map<number, { channel: HelperChannel; settle: (reply: Report) => void; started: number }>();

  constructor(options: HelperOptions = {}) {
    this.#options = options;
  }

  /**
   * Starts the helper now and resolves once it has passed its handshake; rejects with a
   * SpawnHelperError saying what to do when it cannot be used (missing, from another build).
   */
  async start(): Promise<void> {
    await this.#helper().ready;
  }

  /** One attempt: `laminarc queue JOB k=v…`, classified. */
  run(request: JobRequest, options: RunOptions): Promise<AttemptResult> {
    const started = performance.now();
    let args: string[];
    try {
      args = buildArguments(request);
    } catch (error) {
      return Promise.resolve(attemptThatThrew(error, performance.now() - started));
    }
    return this.#launch(args, buildEnvironment(request, {}), options, started).then((reply) => attemptFromReply(reply, request, options));
  }

  /**
   * `laminarc abort JOB N`, through the same helper and bounds as `run`. Never rejects: a run
   * number laminarc cannot take is answered as failed without starting anything.
   */
  abort(job: string, run: number, options: RunOptions): Promise<AbortResult> {
    let args: string[];
    try {
      args = buildAbortArguments(job, run);
    } catch (error) {
      return Promise.resolve({ kind: "failed", message: `cannot abort ${job}:${String(run)}: ${(error as Error).message}`, timedOut: false });
    }
    const setEnv = buildEnvironment({ host: options.host ?? "", reason: "" }, {});
    return this.#launch(args, setEnv, options, performance.now()).then((reply) => classifyAbort({
      exitCode: reply.exitCode, signal: reply.signal, stdout: reply.stdout, stderr: reply.stderr, timedOut: reply.timedOut,
      canceled: reply.canceled, timeoutMs: options.timeoutMs, laminarc: options.laminarc, job, run,
      ...(reply.spawnError === undefined ? {} : { spawnError: reply.spawnError }),
    }));
  }

  /**
   * Starts `laminarc ARGS…` through the helper with the base environment plus `setEnv`, and
   * resolves with the helper's report; never rejects (a message that cannot be sent is reported
   * as a process that could not be started).
   */
  #launch(args: string[], setEnv: Record<string, string>, options: RunOptions, started: number): Promise<Report> {
    if (options.cancelSignal?.aborted === true) return Promise.resolve(notStarted(performance.now() - started, { canceled: true }));

    const id = this.#nextId++;
    const base = options.env ?? process.env;
    return new Promise<Report>((resolve) => {
      const onAbort = () => {
        try {
          this.#channel?.send({ type: "cancel", id });
        } catch {
          // The helper is gone, and with it the laminarc to cancel; the run is answered as lost.
        }
      };
      options.cancelSignal?.addEventListener("abort", onAbort, { once: true });
      const settle = (reply: Report) => {
        options.cancelSignal?.removeEventListener("abort", onAbort);
        resolve(reply);
      };
      try {
        const channel = this.#helper();
        this.#waiting.set(id, { channel, settle, started });
        channel.hold(true);
        // buildEnvironment(request, base), in two parts: the base without LAMINAR_HOST and with
        // the variables laminarc must not see dropped, once; what this call sets, each time.
        let envKey = this.#environments.get(base);
        if (envKey === undefined) {
          envKey = this.#nextEnvKey++;
          this.#environments.set(base, envKey);
          channel.send({ type: "env", key: envKey, env: buildEnvironment({ host: "", reason: "" }, base) });
        }
        const message: RunMessage = {
          type: "run", id, file: options.laminarc, args, envKey, setEnv, timeoutMs: options.timeoutMs, maxOutputBytes: MAX_OUTPUT_BYTES,
        };
        channel.send(message);
      } catch (error) {
        this.#waiting.delete(id);
        if (this.#waiting.size === 0) this.#channel?.hold(false);
        settle(notStarted(performance.now() - started, { canceled: false, spawnError: { message: (error as Error).message } }));
      }
    });
  }

  /** Ends the helper (any laminarc still running is killed) and resolves once it has exited. */
  async close(): Promise<void> {
    await this.#channel?.close();
  }

  #helper(): HelperChannel {
    if (this.#channel !== undefined) return this.#channel;
    // A new helper knows no environment yet.
    this.#environments = new WeakMap();
    const channel: HelperChannel = startHelper({
      result: (reply) => {
        const waiting = this.#waiting.get(reply.id);
        this.#waiting.delete(reply.id);
        waiting?.settle(reply);
        // Idle: the helper must not keep the service alive by itself.
        if (this.#waiting.size === 0) channel.hold(false);
      },
      // No result can come back any more (and whatever the helper started is killed with it):
      // the attempts it had are answered as retries, and the next run starts a new helper. One
      // that never passed its handshake started nothing.
      lost: (why, checked) => {
        if (this.#channel === channel) this.#channel = undefined;
        const message = checked ? `the helper that starts laminarc ${why}; whether laminarc ran is unknown` : why;
        for (const [id, waiting] of [...this.#waiting]) {
          if (waiting.channel !== channel) continue;
          this.#waiting.delete(id);
          // Once the helper had passed its handshake, a laminarc it started may have queued.
          // Its duration runs from when it was sent: a run in doubt is looked for in laminard from
          // then (find-queued.ts), and laminard may have queued it long before the helper died.
          waiting.settle(notStarted(performance.now() - waiting.started, { canceled: false, spawnError: checked ? { code: HELPER_LOST, message } : { message } }));
        }
      },
    }, this.#options);
    this.#channel = channel;
    return channel;
  }
}
