import type { StageLogger } from "../observe/stage-logger.ts";
import type { AttemptToRecord } from "../journal/index.ts";
import type { RunJournal } from "../journal/runs.ts";
import type { Config, RetryPolicy } from "../types.ts";
import { parseHomeSnapshot, parseLiveEvent, parseRunSnapshot, type Frame, type HomeSnapshot, type RunFacts } from "./follow-events.ts";
import { configuredJobs, KnownRuns, type KnownRun } from "./follow-known.ts";
import { recordAttemptRun, recordFacts, recordLost } from "./follow-record.ts";
import { abortedByRestart, settleFromHome, settleFromRun, type FollowedRun, type LostCause } from "./follow-settle.ts";
import { laminardUrl, readFirstFrame } from "./follow-snapshot.ts";
import { LaminardStream } from "./follow-stream.ts";
import { findQueuedRun, type QueuedAnswer, type QueuedQuery } from "./find-queued.ts";
import type { RunStateChange } from "../journal/run-state.ts";

interface FollowerOptions {
  runs: RunJournal;
  /** Read at each use: `laminar.http` (reload restarts the stream), `requeue_lost`, the jobs. */
  getConfig: () => Config;
  /** Tells the listeners of run states (inside the transaction that records the change). */
  emit: (change: RunStateChange) => void;
  logger: StageLogger & { debug?(details: Record<string, unknown>, message: string): void };
  /** A lost run's dispatch is pending again: the dispatcher should look. */
  onRequeue?: () => void;
  /** After a change of the follower's own is committed (metrics). */
  onChange?: (change: RunStateChange) => void;
  backoff?: Pick<RetryPolicy, "delayMs" | "maxDelayMs">;
  idleTimeoutMs?: number;
  /** One run's (or the home) snapshot: read within this. */
  snapshotTimeoutMs?: number;
  /** Asking laminard again about runs it could not place yet. */
  recheckMs?: number;
}

/** Run snapshots asked for at once after a reconnect. */
const FETCH_CONCURRENCY = 4;

/**
 * Follows every run laminarc queued to its end through laminard's event stream (DESIGN.md
 * "Following runs and reporting back"): records running and the result, and after every
 * (re)connect settles what was missed; a run laminard lost is marked lost and queued again.
 * Decisions are follow-settle.ts's; this class does the I/O and keeps them in order.
 */
export class RunFollower {
  readonly #o: FollowerOptions;
  #stream: LaminardStream | undefined;
  #url: string | undefined;
  #connected = false;
  /** What this connection told of runs (its snapshot and events since). */
  readonly #known = new KnownRuns();
  /** Runs to ask a fresh home snapshot about, and the timer that will. */
  readonly #toCheck = new Set<number>();
  #checkTimer: NodeJS.Timeout | undefined;
  #checkDue = 0;
  #work: Promise<void> = Promise.resolve();
  #stopped = false;
  readonly #abort = new AbortController();

  readonly #recheckMs: number;

  constructor(options: FollowerOptions) {
    this.#o = options;
    this.#recheckMs = options.recheckMs ?? 1000;
  }

  /** Whether the event stream is up (its snapshot received). */
  get connected(): boolean {
    return this.#connected;
  }

  /** Opens the stream when `laminar.http` is set; after a reload, reopens it if the URL changed. */
  start(): void {
    if (this.#stopped) return;
    const url = this.#o.getConfig().laminar.httpUrl;
    if (url === this.#url) return;
    this.#stream?.close();
    this.#stream = undefined;
    this.#down();
    this.#url = url;
    if (url === undefined) return;
    this.#o.logger.info({ url }, "following runs through laminard's event stream");
    this.#stream = new LaminardStream({
      url: laminardUrl(url, ""),
      handlers: {
        snapshot: (frame) => this.#onSnapshot(frame),
        event: (frame) => this.#onEvent(frame),
        down: (why, failures, retryInMs) => this.#onDown(why, failures, retryInMs),
      },
      ...(this.#o.backoff === undefined ? {} : { backoff: this.#o.backoff }),
      ...(this.#o.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: this.#o.idleTimeoutMs }),
    });
  }

  /** Closes the stream and waits for the settling in progress to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stream?.close();
    this.#stream = undefined;
    clearTimeout(this.#checkTimer);
    this.#abort.abort();
    await this.#work;
  }

  /**
   * Journal.onAttemptRecorded: inside the transaction of each attempt. A queued run is recorded
   * (when runs are followed) and told as "queued"; a dispatch that failed for good as "error".
   */
  attemptRecorded(attempt: AttemptToRecord & { at: number }): void {
    const run = recordAttemptRun(this.#o.runs, this.#o.emit, attempt, this.#url !== undefined);
    // After the commit: the row exists only if the attempt's transaction kept it.
    if (run !== undefined) queueMicrotask(() => this.#recorded(run.job, run.number));
  }

  /**
   * Whether laminard queued an attempt whose outcome is unknown (find-queued.ts): what this
   * connection was told (job_queued carries the reason), else laminard's run snapshots. Without
   * laminar.http, or for a job on another Laminar, nothing can be asked: `unchecked`.
   */
  async findQueued(query: QueuedQuery, signal?: AbortSignal): Promise<QueuedAnswer> {
    // The config's, not the stream's: the dispatcher may ask before the stream is started.
    const url = this.#o.getConfig().laminar.httpUrl;
    if (url === undefined || query.host !== "") {
      return { kind: "not-queued", unchecked: true, why: url === undefined ? "laminar.http is not set: laminard cannot be asked" : "the job runs on another Laminar (host:), which laminar.http does not show" };
    }
    const exclude = new Set(this.#o.runs.numbersOf(query.dispatchId));
    const told = this.#known.findByReason(query.job, query.matches, exclude);
    if (told !== undefined) {
      return { kind: "queued", run: `${told.job}:${told.number}`, how: `laminard had queued it as ${told.job}:${told.number} (its job_queued event)` };
    }
    const signals = [this.#abort.signal, ...(signal === undefined ? [] : [signal])];
    const options = { timeoutMs: this.#o.snapshotTimeoutMs ?? 10_000, signal: AbortSignal.any(signals) };
    return findQueuedRun({ base: url, query, exclude, read: (target) => readFirstFrame(target, options) });
  }

  #onSnapshot(frame: Frame): void {
    let home: HomeSnapshot;
    try {
      home = parseHomeSnapshot(frame);
    } catch (error) {
      this.#o.logger.error({ err: error }, "laminard's first frame is not a snapshot; following waits for the next connection");
      return;
    }
    this.#known.clear();
    for (const facts of home.runs) this.#learn(facts);
    this.#connected = true;
    this.#o.logger.info({ url: this.#url }, "connected to laminard's event stream; settling the runs followed");
    // Every run recorded until now is settled against this snapshot; later ones when recorded.
    // They were followed while the stream was down: one found aborted was aborted by a restart.
    const ids = this.#guard(() => this.#o.runs.followed().map((run) => run.id)) ?? [];
    this.#enqueue(() => this.#settle(ids, home, false, true));
  }

  #onEvent(frame: Frame): void {
    const facts = parseLiveEvent(frame);
    if (facts === undefined || !this.#learn(facts, true)) return;
    const run = this.#guard(() => this.#o.runs.findFollowed(facts.job, facts.number));
    if (run !== undefined) this.#apply(run.id, run, facts);
  }

  #onDown(why: string, failures: number, retryInMs: number): void {
    const wasConnected = this.#connected;
    this.#down();
    const details = { url: this.#url, failures, retryInMs };
    // Said at once, then now and then: a laminard that is down for a day must not fill the log.
    if (wasConnected || failures === 1 || failures % 20 === 0) {
      this.#o.logger.warn(details, `laminard's event stream is unreachable (${why}); runs are not followed until it is back, trying again in ${retryInMs} ms`);
    } else {
      this.#o.logger.debug?.(details, `laminard's event stream is still unreachable (${why})`);
    }
  }

  #down(): void {
    this.#connected = false;
    this.#known.clear();
  }

  /** Keeps a fact of the current connection about a configured job; false for other jobs. */
  #learn(facts: RunFacts, live = false): boolean {
    if (!configuredJobs(this.#o.getConfig()).has(facts.job)) return false;
    this.#known.learn(facts, live);
    return true;
  }

  /** A run was recorded as queued: what this connection already said of it, else ask laminard soon. */
  #recorded(job: string, number: number): void {
    const run = this.#guard(() => this.#o.runs.findFollowed(job, number));
    if (run === undefined) return;
    const known = this.#known.get(job, number);
    if (known !== undefined) this.#applyKnown(run.id, run, known);
    else if (this.#connected) this.#check(run.id, 100);
  }

  /** Asks a fresh home snapshot about a run after `delayMs`, with others due by then. */
  #check(id: number, delayMs: number): void {
    this.#toCheck.add(id);
    if (this.#stopped) return;
    // One timer for all: a run due sooner than the pending check brings it forward.
    const due = Date.now() + delayMs;
    if (this.#checkTimer !== undefined && this.#checkDue <= due) return;
    clearTimeout(this.#checkTimer);
    this.#checkDue = due;
    this.#checkTimer = setTimeout(() => {
      this.#checkTimer = undefined;
      const ids = [...this.#toCheck];
      this.#toCheck.clear();
      this.#enqueue(async () => {
        // Runs this connection has placed since need no question.
        const open = ids.filter((id) => !this.#placeKnown(id));
        if (open.length === 0 || !this.#connected || this.#url === undefined) return;
        let home: HomeSnapshot;
        try {
          home = parseHomeSnapshot(await readFirstFrame(laminardUrl(this.#url, ""), this.#fetchOptions()));
        } catch (error) {
          this.#o.logger.warn({ err: error }, "cannot read laminard's home snapshot; asking again later");
          for (const id of open) this.#check(id, this.#recheckMs * 5);
          return;
        }
        // Runs this connection has seen nothing of: one found aborted was aborted out of its sight.
        await this.#settle(open, home, true, true);
      });
    }, delayMs);
    this.#checkTimer.unref();
  }

  /** Whether this connection has said something about the followed run `id` (and it was applied). */
  #placeKnown(id: number): boolean {
    const run = this.#followed(id);
    if (run === undefined) return true;
    const known = this.#known.get(run.job, run.number);
    if (known === undefined) return false;
    this.#applyKnown(id, run, known);
    return true;
  }

  /**
   * Settles followed runs against a home snapshot and, for those it does not name, their own.
   * `abortUnseen`: no event of this connection told of these runs (follow-settle.ts).
   */
  async #settle(ids: readonly number[], home: HomeSnapshot, homeAfterRecord: boolean, abortUnseen = false): Promise<void> {
    const startSeq = this.#known.seq;
    const toFetch: FollowedRun[] = [];
    const idOf = new Map<FollowedRun, number>();
    for (const id of ids) {
      const run = this.#followed(id);
      if (run === undefined) continue;
      const verdict = settleFromHome(run, home, abortUnseen);
      if (verdict.kind === "advance") this.#apply(id, run, verdict.facts);
      else if (verdict.kind === "lost") this.#lose(id, run, verdict.why, verdict.cause);
      else {
        toFetch.push(run);
        idOf.set(run, id);
      }
    }
    let next = 0;
    const worker = async () => {
      while (next < toFetch.length && !this.#stopped) {
        const run = toFetch[next++]!;
        await this.#settleOne(idOf.get(run)!, run, home, homeAfterRecord, startSeq, abortUnseen);
      }
    };
    await Promise.all(Array.from({ length: FETCH_CONCURRENCY }, worker));
  }

  async #settleOne(id: number, run: FollowedRun, home: HomeSnapshot, homeAfterRecord: boolean, startSeq: number, abortUnseen: boolean): Promise<void> {
    if (this.#url === undefined) return;
    let verdict;
    try {
      const frame = await readFirstFrame(laminardUrl(this.#url, `jobs/${run.job}/${run.number}`), this.#fetchOptions());
      verdict = settleFromRun(run, home, parseRunSnapshot(frame), homeAfterRecord, abortUnseen);
    } catch (error) {
      if (this.#stopped) return;
      this.#o.logger.warn({ err: error, run: `${run.job}:${run.number}` }, "cannot read a run's snapshot from laminard; asking again later");
      if (this.#connected) this.#check(id, this.#recheckMs * 5);
      return;
    }
    // An event about the run while its snapshot was on its way is newer than any verdict here.
    const known = this.#known.get(run.job, run.number);
    if (known !== undefined && known.seq > startSeq) {
      this.#applyKnown(id, run, known);
      return;
    }
    if (verdict.kind === "advance") this.#apply(id, run, verdict.facts);
    else if (verdict.kind === "wait") this.#check(id, this.#recheckMs);
    else if (verdict.kind === "lost") this.#lose(id, run, verdict.why, verdict.cause);
  }

  #lose(id: number, run: { job: string; number: number }, why: string, cause: LostCause): void {
    const name = `${run.job}:${run.number}`;
    const changes = this.#guard(() => recordLost(this.#o.runs, id, why, this.#o.getConfig().laminar.requeueLost, cause)) ?? [];
    for (const change of changes) {
      this.#o.onChange?.(change);
      this.#o.logger[change.state === "error" ? "error" : "warn"]({ dispatch: change.dispatchId, run: name }, change.reason ?? `${name} was lost`);
    }
    if (changes.length === 1) this.#o.onRequeue?.();
  }

  /** The run `id` if it is still followed. */
  #followed(id: number): FollowedRun | undefined {
    const record = this.#guard(() => this.#o.runs.get(id));
    if (record === undefined || (record.state !== "queued" && record.state !== "running")) return undefined;
    return { job: record.job, number: record.number, state: record.state };
  }

  /** Records what laminard said of a run, if it moves it forward. */
  /**
   * What this connection knows of a run. An `aborted` it learned from its snapshot, not from an
   * event, happened out of its sight: a run whose laminarc call went unanswered and that laminard
   * aborted as it stopped (find-queued.ts adopts it after the restart) is queued again like one
   * aborted while the stream was down; an abort told by an event is a person's, and only reported.
   */
  #applyKnown(id: number, run: { job: string; number: number; state: string }, known: KnownRun): void {
    if (known.facts.state === "aborted" && !known.resultLive) {
      const verdict = abortedByRestart(run);
      this.#lose(id, run, verdict.why, verdict.cause);
    } else {
      this.#apply(id, run, known.facts);
    }
  }

  #apply(id: number, run: { state: string }, facts: RunFacts): void {
    const change = this.#guard(() => recordFacts(this.#o.runs, id, run.state, facts));
    if (change === undefined) return;
    this.#o.onChange?.(change);
    this.#o.logger.debug?.({ dispatch: change.dispatchId, run: `${change.job}:${change.runNumber}` }, `${change.job}:${change.runNumber} ${change.state}`);
  }

  /** One step at a time: settling after a reconnect, and the checks that follow it, never overlap. */
  #enqueue(task: () => Promise<void>): void {
    this.#work = this.#work.then(task).catch((error: unknown) => this.#o.logger.error({ err: error }, "following runs failed unexpectedly"));
  }

  /** A journal read or write; a failure is logged and the run is settled again at the next connect. */
  #guard<T>(operation: () => T): T | undefined {
    try {
      return operation();
    } catch (error) {
      this.#o.logger.error({ err: error }, "cannot record a run's state in the journal; it is settled again when laminard's stream reconnects");
      return undefined;
    }
  }

  #fetchOptions() {
    return { timeoutMs: this.#o.snapshotTimeoutMs ?? 10_000, signal: this.#abort.signal };
  }
}
