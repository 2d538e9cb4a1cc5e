// Sends the aborts people (and `supersede`) asked for: at once for a run that is running, and for
// one that has not started the moment the follower sees it start (Laminar cannot drop a queued run:
// reference/laminarc.md "Aborting"). The abort is kept in the journal (run_aborts) until it is
// sent, so one asked before a restart is sent when its run is seen running after it.

import type { PageActions, RunRecord } from "../journal/index.ts";
import type { RunStateListener } from "../journal/run-state.ts";
import type { Logger } from "../observe/logger.ts";
import { abortChoice } from "./abort-choice.ts";
import type { AbortResult } from "./classify-abort.ts";

interface RunAborterOptions {
  actions: PageActions;
  runsOf(dispatchIds: readonly number[]): Map<number, RunRecord[]>;
  /** `laminarc abort JOB N` with the dispatch's LAMINAR_HOST ("" for laminar.host). */
  abort(job: string, number: number, host: string): Promise<AbortResult>;
  logger: Logger;
}

export class RunAborter {
  readonly #o: RunAborterOptions;
  /** Dispatches whose abort is being sent now: one laminarc abort each. */
  readonly #sending = new Set<number>();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: RunAborterOptions) {
    this.#o = options;
  }

  /**
   * Told of every run change inside its transaction: a run that starts with an abort waiting is
   * aborted, after the transaction (laminarc must not run inside it).
   */
  readonly listener: RunStateListener = (change) => {
    if (change.state !== "running" || change.runNumber === undefined) return;
    if (this.#o.actions.abortOf(change.dispatchId)?.state !== "waiting") return;
    const { dispatchId, job, runNumber } = change;
    setImmediate(() => this.#send(dispatchId, job, runNumber));
  };

  /** An abort was asked (or a waiting one found at start): sent now when its run is running. */
  asked(dispatchId: number): void {
    const dispatch = this.#o.actions.dispatch(dispatchId);
    if (dispatch === undefined) return;
    const choice = abortChoice(dispatch, this.#o.runsOf([dispatchId]).get(dispatchId) ?? [], undefined);
    if (choice.kind === "now") this.#send(dispatchId, choice.job, choice.number);
  }

  /** At start: the aborts a previous process left waiting whose run runs now. */
  resume(): void {
    for (const dispatchId of this.#o.actions.waitingAborts()) this.asked(dispatchId);
  }

  /** Waits for the aborts being sent. */
  async drain(): Promise<void> {
    await Promise.all(this.#inFlight);
  }

  #send(dispatchId: number, job: string, number: number): void {
    if (this.#sending.has(dispatchId)) return;
    this.#sending.add(dispatchId);
    const host = this.#o.actions.dispatch(dispatchId)?.host ?? "";
    const sending = this.#o.abort(job, number, host).then((result) => {
      const answer = result.kind === "aborted" ? `laminarc abort ${job}:${number}: aborted` : result.message;
      this.#o.actions.abortSent(dispatchId, result.kind === "aborted" ? "sent" : "failed", answer);
      this.#o.logger.info({ job, run: number, dispatch: dispatchId, result: result.kind }, "run abort sent");
    }).catch((error: unknown) => {
      this.#o.logger.warn({ err: error, job, run: number, dispatch: dispatchId }, "a run's abort could not be recorded");
    }).finally(() => {
      this.#sending.delete(dispatchId);
      this.#inFlight.delete(sending);
    });
    this.#inFlight.add(sending);
  }
}
