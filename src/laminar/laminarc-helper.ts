import type { AttemptResult, JobRequest } from "../types.ts";
import { buildArguments } from "./build-arguments.ts";
import { buildEnvironment } from "./build-environment.ts";
import { availableHelperKind, startHelper, type HelperChannel, type HelperKind } from "./helper-channel.ts";
import { notStarted, type ResultMessage, type RunMessage } from "./helper-protocol.ts";
import { MAX_OUTPUT_BYTES, type RunOptions } from "./run-options.ts";
import { attemptFromReply, attemptThatThrew } from "./shape-result.ts";
import { HELPER_LOST } from "./classify-result.ts";

/**
 * The one way laminar-hooks starts laminarc: `laminarc queue JOB k=v…`, without a shell, bounded
 * in time and output, cancellable, classified; it never rejects, so a dispatcher always has an
 * outcome to record. laminarc is started by a small long-lived helper process instead of by the
 * service: starting a child blocks the starting process's event loop for milliseconds, which
 * would delay every HTTP answer under load. The helper is started on the first run and again if
 * it ever dies: the native one (spawn-helper.c) where `npm ci` could build it, else the Node one
 * (spawn-helper.ts); see helper-channel.ts.
 */
export class LaminarcHelper {
  /** Which helper starts laminarc. */
  readonly kind: HelperKind;
  #channel: HelperChannel | undefined;
  #nextId = 1;
  /** Base environments (RunOptions.env objects) already sent to the current helper. */
  #environments = new WeakMap<NodeJS.ProcessEnv, number>();
  #nextEnvKey = 1;
  /** Runs sent and not answered yet, with the helper each went to. */
  readonly #waiting = new Map<number, { channel: HelperChannel; settle: (reply: ResultMessage) => void }>();

  constructor(options: { kind?: HelperKind } = {}) {
    this.kind = options.kind ?? availableHelperKind();
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
    if (options.cancelSignal?.aborted === true) {
      return Promise.resolve(attemptFromReply(notStarted(performance.now() - started, { canceled: true }), request, options));
    }

    const id = this.#nextId++;
    const base = options.env ?? process.env;
    return new Promise<AttemptResult>((resolve) => {
      const onAbort = () => {
        try {
          this.#channel?.send({ type: "cancel", id });
        } catch {
          // The helper is gone, and with it the laminarc to cancel; the run is answered as lost.
        }
      };
      options.cancelSignal?.addEventListener("abort", onAbort, { once: true });
      const settle = (reply: ResultMessage) => {
        options.cancelSignal?.removeEventListener("abort", onAbort);
        resolve(attemptFromReply(reply, request, options));
      };
      try {
        const channel = this.#helper();
        this.#waiting.set(id, { channel, settle });
        channel.hold(true);
        // buildEnvironment(request, base), in two parts: the base without LAMINAR_HOST and with
        // the variables laminarc must not see dropped, once; what this job sets, each time.
        let envKey = this.#environments.get(base);
        if (envKey === undefined) {
          envKey = this.#nextEnvKey++;
          this.#environments.set(base, envKey);
          channel.send({ type: "env", key: envKey, env: buildEnvironment({ host: "", reason: "" }, base) });
        }
        const message: RunMessage = {
          type: "run", id, file: options.laminarc, args, envKey, setEnv: buildEnvironment(request, {}),
          timeoutMs: options.timeoutMs, maxOutputBytes: MAX_OUTPUT_BYTES,
        };
        channel.send(message);
      } catch (error) {
        this.#waiting.delete(id);
        if (this.#waiting.size === 0) this.#channel?.hold(false);
        options.cancelSignal?.removeEventListener("abort", onAbort);
        resolve(attemptThatThrew(error, performance.now() - started));
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
    const channel: HelperChannel = startHelper(this.kind, {
      result: (reply) => {
        const waiting = this.#waiting.get(reply.id);
        this.#waiting.delete(reply.id);
        waiting?.settle(reply);
        // Idle: the helper must not keep the service alive by itself.
        if (this.#waiting.size === 0) channel.hold(false);
      },
      // No result can come back any more (and the helper killed what it started): the attempts
      // it had are answered as retries, and the next run starts a new helper.
      lost: (why) => {
        if (this.#channel === channel) this.#channel = undefined;
        for (const [id, waiting] of [...this.#waiting]) {
          if (waiting.channel !== channel) continue;
          this.#waiting.delete(id);
          waiting.settle({
            type: "result", id,
            ...notStarted(0, { canceled: false, spawnError: { code: HELPER_LOST, message: `the helper that starts laminarc ${why}; whether laminarc ran is unknown` } }),
          });
        }
      },
    });
    this.#channel = channel;
    return channel;
  }
}
