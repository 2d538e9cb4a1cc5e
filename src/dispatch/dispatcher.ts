import type { Journal } from "../journal/journal.ts";
import type { ClaimedDispatch, NextState } from "../journal/journal-types.ts";
import { formatDuration } from "../config/units.ts";
import type { RunOptions } from "../laminar/run-options.ts";
import { attemptThatThrew } from "../laminar/shape-result.ts";
import type { AttemptResult, JobRequest, LaminarConfig } from "../types.ts";
import { decideNext } from "./decide-next.ts";
import { attemptReason, isAttemptReason } from "./attempt-reason.ts";
import type { QueuedAnswer, QueuedQuery } from "../laminar/find-queued.ts";
import { quietLogger, type StageLogger } from "../observe/stage-logger.ts";
import { WorkerLoop } from "./worker-loop.ts";

/**
 * The part of the journal the dispatcher uses; a Journal fits. The attempts that end in one turn
 * of the event loop are recorded with recordAttempts, in one transaction (one fsync).
 */
type DispatchJournal = Pick<Journal, "claimDue" | "recordAttempts" | "releaseRunning" | "nextDueTime">;

/** One attempt: LaminarcHelper.run in the service and its tests. It should never reject. */
type RunAttempt = (request: JobRequest, options: RunOptions) => Promise<AttemptResult>;

/** An attempt that ended: what the loop records, and what the onAttempt hook (metrics) is told after. */
export interface AttemptEvent {
  dispatch: ClaimedDispatch;
  result: AttemptResult;
  next: NextState;
}

/** What a Dispatcher works with; all but the journal, the config and `run` have defaults. */
export interface DispatcherOptions {
  journal: DispatchJournal;
  /** Read at each attempt, so a reloaded config (laminarc, concurrency, timeout, retry) applies. */
  getLaminarConfig: () => LaminarConfig;
  run: RunAttempt;
  /** ms since the epoch */
  now?: () => number;
  /** In [0, 1), for the backoff's jitter. */
  random?: () => number;
  logger?: StageLogger;
  onAttempt?: (event: AttemptEvent) => void;
  /**
   * How often to look for due dispatches when nothing else wakes the dispatcher: picks up those
   * another process (`laminar-hooks redeliver`) added to the same journal.
   */
  pollIntervalMs?: number;
  /**
   * Asks laminard whether it queued an attempt whose outcome is unknown (RunFollower.findQueued).
   * Without it such an attempt is simply made again.
   */
  findQueued?: (query: QueuedQuery, signal: AbortSignal) => Promise<QueuedAnswer>;
  /**
   * Put dispatches left `running` back to pending on start(). Right for the one service that owns
   * the journal; a second dispatcher on the same file (a CLI) must not steal its attempts.
   */
  recoverOnStart?: boolean;
}

/**
 * The worker pool between the journal and laminarc: it claims due dispatches, runs at most
 * `concurrency` laminarc processes at once, records every attempt, and retries with backoff.
 * All its state is in the journal, so a restart resumes where the last process stopped.
 */
export class Dispatcher {
  readonly #journal: DispatchJournal;
  readonly #getConfig: () => LaminarConfig;
  readonly #run: RunAttempt;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #logger: StageLogger;
  readonly #onAttempt: ((event: AttemptEvent) => void) | undefined;
  readonly #recoverOnStart: boolean;
  readonly #findQueued: DispatcherOptions["findQueued"];
  readonly #loop: WorkerLoop<ClaimedDispatch, AttemptEvent>;

  constructor(options: DispatcherOptions) {
    this.#journal = options.journal;
    this.#getConfig = options.getLaminarConfig;
    this.#run = options.run;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger ?? quietLogger;
    this.#onAttempt = options.onAttempt;
    this.#recoverOnStart = options.recoverOnStart ?? true;
    this.#findQueued = options.findQueued;
    this.#loop = new WorkerLoop({
      capacity: () => this.#getConfig().concurrency,
      claim: (now, max) => this.#journal.claimDue(now, max),
      nextDue: () => this.#journal.nextDueTime(),
      idOf: (dispatch) => dispatch.id,
      attempt: (dispatch, signal) => this.#attempt(dispatch, signal),
      // One transaction (one fsync) for the attempts that ended in one turn.
      record: (ended) => this.#journal.recordAttempts(ended.map(({ dispatch, result, next }) => ({ dispatchId: dispatch.id, result, next }))),
      announce: (ended) => {
        this.#log(ended.dispatch, ended.result, ended.next);
        this.#onAttempt?.(ended);
      },
      // A free slot waits for no write (recording took ~0.4 ms of the ~1 ms between one laminarc
      // call and the next); the attempts not recorded yet still hold their dispatches `running`.
      recordFirst: false,
      now: this.#now,
      pollIntervalMs: options.pollIntervalMs ?? 5000,
      logger: this.#logger,
      words: {
        idField: "dispatch",
        claimed: "due dispatches",
        outcome: "a laminarc attempt",
        leftAtStop: "these attempts stay marked running and are tried again at the next start",
      },
    });
  }

  /** laminarc processes running now (a gauge for metrics, and for tests). */
  get inFlight(): number {
    return this.#loop.inFlight;
  }

  /** Recovers what a previous process left running, then starts working. Throws if the journal cannot be written. */
  start(): void {
    this.#loop.start(() => {
      if (!this.#recoverOnStart) return;
      const released = this.#journal.releaseRunning();
      if (released > 0) {
        this.#logger.warn({ released }, `${released} dispatch(es) were in flight when laminar-hooks last stopped; trying them again`);
      }
    });
  }

  /** Looks for due dispatches now; the HTTP layer calls it after journaling a delivery. */
  kick(): void {
    // Deferred and coalesced: the claim is a durable write that must not delay the HTTP answer.
    this.#loop.kick();
  }

  /**
   * Stops claiming, lets attempts in flight finish for up to `graceMs`, then kills the rest and
   * leaves them pending (not counted as attempts). Resolves once every laminarc child is gone.
   */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    await this.#loop.stop({ graceMs: options.graceMs ?? 10_000 });
  }

  async #attempt(dispatch: ClaimedDispatch, cancelSignal: AbortSignal): Promise<AttemptEvent> {
    const config = this.#getConfig();
    // A job's own `host:` is journaled with it; "" means `laminar.host` as it is now, so that a
    // reload fixing laminar.host rescues dispatches already retrying against the wrong one.
    // laminarc's path, the timeout and the retry policy are the config's at this attempt too.
    const host = dispatch.request.host === "" ? config.host : dispatch.request.host;
    // The reason names the dispatch and the attempt, so that laminard can be asked about it later.
    const request: JobRequest = { ...dispatch.request, host, reason: attemptReason(dispatch.request.reason, dispatch.id, dispatch.attempt) };
    if (dispatch.doubtSince !== undefined) {
      const checked = await this.#askLaminard(dispatch, cancelSignal);
      if (checked !== undefined) return this.#ended(dispatch, checked.result, checked.doubt, cancelSignal, config);
    }
    let result: AttemptResult;
    try {
      result = await this.#run(request, { laminarc: config.laminarc, timeoutMs: config.timeoutMs, cancelSignal });
    } catch (error) {
      result = attemptThatThrew(error, 0);
    }
    const unknown = result.outcome.kind === "retry" && result.outcome.unknown === true;
    return this.#ended(dispatch, result, unknown ? "set" : "clear", cancelSignal, config);
  }

  /** What comes after an attempt: recorded by the loop with every other attempt that ends in this turn, then logged. */
  #ended(dispatch: ClaimedDispatch, result: AttemptResult, doubt: NonNullable<NextState["doubt"]>, cancelSignal: AbortSignal, config: LaminarConfig): AttemptEvent {
    const next = decideNext({
      outcome: result.outcome,
      attempt: dispatch.attempt,
      canceled: cancelSignal.aborted,
      policy: config.retry,
      now: this.#now(),
      random: this.#random,
    });
    next.doubt = doubt;
    return { dispatch, result, next };
  }

  /**
   * An earlier attempt's outcome is unknown: laminard is asked whether it queued it. Queued: that
   * run is the dispatch's, as if laminarc had answered. Unknown (laminard unreachable): not queued
   * again, asked again after a backoff. Undefined: provably not queued (or nothing can be asked,
   * without laminar.http): laminarc runs.
   */
  async #askLaminard(dispatch: ClaimedDispatch, cancelSignal: AbortSignal): Promise<{ result: AttemptResult; doubt: NonNullable<NextState["doubt"]> } | undefined> {
    if (this.#findQueued === undefined) return undefined;
    const started = this.#now();
    const { id, request } = dispatch;
    let answer: QueuedAnswer;
    try {
      answer = await this.#findQueued({
        dispatchId: id, job: request.job, host: request.host, since: dispatch.doubtSince ?? started,
        matches: (reason) => isAttemptReason(reason, request.reason, id),
      }, cancelSignal);
    } catch (error) {
      answer = { kind: "unknown", why: `laminard could not be asked whether it queued it: ${error instanceof Error ? error.message : String(error)}` };
    }
    const details = { dispatch: id, job: request.job, attempt: dispatch.attempt };
    const checked = (outcome: AttemptResult["outcome"]): AttemptResult => ({
      outcome, exitCode: null, signal: null, stdout: "", stderr: "", durationMs: Math.max(0, this.#now() - started), timedOut: false,
    });
    switch (answer.kind) {
      case "queued":
        return { result: checked({ kind: "queued", run: answer.run, note: `an earlier laminarc attempt did not answer; ${answer.how}` }), doubt: "clear" };
      case "unknown":
        return {
          result: checked({ kind: "retry", message: `an earlier laminarc attempt did not answer and may have queued the job; not queued again until laminard can tell: ${answer.why}` }),
          doubt: "keep",
        };
      case "not-queued":
        if (answer.unchecked === true) {
          this.#logger.warn(details, `job ${request.job}: an earlier laminarc attempt did not answer and ${answer.why}; queueing it again, which may build it twice`);
        } else {
          this.#logger.info(details, `job ${request.job}: an earlier laminarc attempt did not answer, and ${answer.why}: queueing it again`);
        }
        return undefined;
    }
  }

  #log(dispatch: ClaimedDispatch, result: AttemptResult, next: NextState): void {
    const details = {
      dispatch: dispatch.id,
      delivery: dispatch.deliveryId,
      job: dispatch.request.job,
      // The forge's delivery id and the repository, so one grep finds a push's whole story.
      forgeDelivery: dispatch.request.params.delivery,
      repo: dispatch.request.params.repo,
      attempt: dispatch.attempt,
      durationMs: result.durationMs,
      exitCode: result.exitCode,
    };
    const outcome = result.outcome;
    if (outcome.kind === "queued") {
      this.#logger.info({ ...details, run: outcome.run }, `queued ${outcome.run}`);
    } else if (next.canceled === true) {
      this.#logger.info(details, `laminarc for job ${dispatch.request.job} was stopped by the shutdown; it stays pending`);
    } else if (next.status === "pending") {
      const wait = formatDuration(Math.max(0, (next.nextAttemptAt ?? this.#now()) - this.#now()));
      this.#logger.warn(details, `job ${dispatch.request.job}, attempt ${dispatch.attempt}: ${outcome.message}; trying again in ${wait}`);
    } else {
      this.#logger.error(details, `job ${dispatch.request.job} failed: ${next.error ?? outcome.message}`);
    }
  }
}
