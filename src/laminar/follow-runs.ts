import type { FetchLike } from "eventsource";
import type { DispatchLogger } from "../dispatch/dispatch-logger.ts";
import type { AttemptToRecord } from "../journal/journal.ts";
import type { RunJournal } from "../journal/runs.ts";
import type { Config, RetryPolicy } from "../types.ts";
import { parseHomeSnapshot, parseLiveEvent, parseRunSnapshot, type Frame, type HomeSnapshot, type RunFacts } from "./follow-events.ts";
import { advanceTo, decideLost, mergeFacts, settleFromHome, settleFromRun, type FollowedRun } from "./follow-settle.ts";
import { laminardUrl, readFirstFrame, type FetchFunction } from "./follow-snapshot.ts";
import { LaminardStream } from "./follow-stream.ts";
import type { RunStateChange } from "./run-state.ts";

export interface FollowerOptions {
  runs: RunJournal;
  /** Read at each use: `laminar.http` (reload restarts the stream), `requeue_lost`, the jobs. */
  getConfig: () => Config;
  /** Tells the listeners of run states (inside the transaction that records the change). */
  emit: (change: RunStateChange) => void;
  logger: DispatchLogger & { debug?(details: Record<string, unknown>, message: string): void };
  /** A lost run's dispatch is pending again: the dispatcher should look. */
  onRequeue?: () => void;
  /** After a change of the follower's own is committed (metrics). */
  onChange?: (change: RunStateChange) => void;
  fetch?: FetchFunction;
  backoff?: Pick<RetryPolicy, "delayMs" | "maxDelayMs">;
  idleTimeoutMs?: number;
  /** One run's (or the home) snapshot: read within this. */
  snapshotTimeoutMs?: number;
  /** Asking laminard again about runs it could not place yet. */
  recheckMs?: number;
  random?: () => number;
}

/** Live facts of the current connection kept for runs laminarc has not reported yet. */
const MAX_KNOWN = 4096;
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
  /** What this connection told of runs (its snapshot and events since), with the event counter at the time. */
  #known = new Map<string, { facts: RunFacts; seq: number }>();
  #seq = 0;
  /** Runs to ask a fresh home snapshot about, and the timer that will. */
  readonly #toCheck = new Set<number>();
  #checkTimer: NodeJS.Timeout | undefined;
  #work: Promise<void> = Promise.resolve();
  #stopped = false;
  readonly #abort = new AbortController();
  #jobs: { config: Config; names: Set<string> } | undefined;

  constructor(options: FollowerOptions) {
    this.#o = options;
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
      ...(this.#o.random === undefined ? {} : { random: this.#o.random }),
      ...(this.#o.fetch === undefined ? {} : { fetch: this.#o.fetch as unknown as FetchLike }),
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
    const { outcome } = attempt.result;
    if (outcome.kind === "queued") {
      const separator = outcome.run.lastIndexOf(":");
      const job = outcome.run.slice(0, separator);
      const number = Number(outcome.run.slice(separator + 1));
      // A job with its own `host:` runs on another Laminar, whose runs laminar.http cannot see.
      if (this.#url !== undefined && this.#o.runs.dispatchOf(attempt.dispatchId)?.host === "") {
        this.#o.runs.recordQueued(attempt.dispatchId, job, number, attempt.at);
        // After the commit: the row exists only if the attempt's transaction kept it.
        queueMicrotask(() => this.#recorded(job, number));
      }
      this.#o.emit({ dispatchId: attempt.dispatchId, job, runNumber: number, state: "queued", at: attempt.at });
    } else if (attempt.next.status === "failed") {
      const job = this.#o.runs.dispatchOf(attempt.dispatchId)?.job ?? "";
      this.#o.emit({ dispatchId: attempt.dispatchId, job, state: "error", at: attempt.at, reason: attempt.next.error ?? outcome.message });
    }
  }

  #onSnapshot(frame: Frame): void {
    let home: HomeSnapshot;
    try {
      home = parseHomeSnapshot(frame);
    } catch (error) {
      this.#o.logger.error({ err: error }, "laminard's first frame is not a snapshot; following waits for the next connection");
      return;
    }
    this.#known = new Map();
    for (const facts of home.runs) this.#learn(facts);
    this.#connected = true;
    this.#o.logger.info({ url: this.#url }, "connected to laminard's event stream; settling the runs followed");
    // Every run recorded until now is settled against this snapshot; later ones when recorded.
    const ids = this.#guard(() => this.#o.runs.followed().map((run) => run.id)) ?? [];
    this.#enqueue(() => this.#settle(ids, home, false));
  }

  #onEvent(frame: Frame): void {
    const facts = parseLiveEvent(frame);
    if (facts === undefined || !this.#learn(facts)) return;
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
    this.#known = new Map();
  }

  /** Keeps a fact of the current connection about a configured job; false for other jobs. */
  #learn(facts: RunFacts): boolean {
    if (!this.#jobNames().has(facts.job)) return false;
    const key = `${facts.job}:${facts.number}`;
    const previous = this.#known.get(key);
    this.#seq += 1;
    this.#known.delete(key);
    this.#known.set(key, { facts: mergeFacts(previous?.facts, facts), seq: this.#seq });
    if (this.#known.size > MAX_KNOWN) this.#known.delete(this.#known.keys().next().value as string);
    return true;
  }

  #jobNames(): Set<string> {
    const config = this.#o.getConfig();
    if (this.#jobs?.config !== config) {
      this.#jobs = { config, names: new Set(config.repositories.flatMap((repository) => repository.jobs.map((rule) => rule.job))) };
    }
    return this.#jobs.names;
  }

  /** A run was recorded as queued: what this connection already said of it, else ask laminard soon. */
  #recorded(job: string, number: number): void {
    const run = this.#guard(() => this.#o.runs.findFollowed(job, number));
    if (run === undefined) return;
    const known = this.#known.get(`${job}:${number}`);
    if (known !== undefined) this.#apply(run.id, run, known.facts);
    else if (this.#connected) this.#check(run.id, 100);
  }

  /** Asks a fresh home snapshot about a run after `delayMs`, with others due by then. */
  #check(id: number, delayMs: number): void {
    this.#toCheck.add(id);
    if (this.#checkTimer !== undefined || this.#stopped) return;
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
          for (const id of open) this.#check(id, this.#recheckMs() * 5);
          return;
        }
        await this.#settle(open, home, true);
      });
    }, delayMs);
    this.#checkTimer.unref();
  }

  /** Whether this connection has said something about the followed run `id` (and it was applied). */
  #placeKnown(id: number): boolean {
    const run = this.#followed(id);
    if (run === undefined) return true;
    const known = this.#known.get(`${run.job}:${run.number}`);
    if (known === undefined) return false;
    this.#apply(id, run, known.facts);
    return true;
  }

  /** Settles followed runs against a home snapshot and, for those it does not name, their own. */
  async #settle(ids: readonly number[], home: HomeSnapshot, homeAfterRecord: boolean): Promise<void> {
    const startSeq = this.#seq;
    const toFetch: FollowedRun[] = [];
    const idOf = new Map<FollowedRun, number>();
    for (const id of ids) {
      const run = this.#followed(id);
      if (run === undefined) continue;
      const verdict = settleFromHome(run, home);
      if (verdict.kind === "advance") this.#apply(id, run, verdict.facts);
      else {
        toFetch.push(run);
        idOf.set(run, id);
      }
    }
    let next = 0;
    const worker = async () => {
      while (next < toFetch.length && !this.#stopped) {
        const run = toFetch[next++]!;
        await this.#settleOne(idOf.get(run)!, run, home, homeAfterRecord, startSeq);
      }
    };
    await Promise.all(Array.from({ length: FETCH_CONCURRENCY }, worker));
  }

  async #settleOne(id: number, run: FollowedRun, home: HomeSnapshot, homeAfterRecord: boolean, startSeq: number): Promise<void> {
    if (this.#url === undefined) return;
    let verdict;
    try {
      const frame = await readFirstFrame(laminardUrl(this.#url, `jobs/${run.job}/${run.number}`), this.#fetchOptions());
      verdict = settleFromRun(run, home, parseRunSnapshot(frame), homeAfterRecord);
    } catch (error) {
      if (this.#stopped) return;
      this.#o.logger.warn({ err: error, run: `${run.job}:${run.number}` }, "cannot read a run's snapshot from laminard; asking again later");
      if (this.#connected) this.#check(id, this.#recheckMs() * 5);
      return;
    }
    // An event about the run while its snapshot was on its way is newer than any verdict here.
    const known = this.#known.get(`${run.job}:${run.number}`);
    if (known !== undefined && known.seq > startSeq) {
      this.#apply(id, run, known.facts);
      return;
    }
    if (verdict.kind === "advance") this.#apply(id, run, verdict.facts);
    else if (verdict.kind === "wait") this.#check(id, this.#recheckMs());
    else if (verdict.kind === "lost") this.#lose(id, run, verdict.why);
  }

  #lose(id: number, run: FollowedRun, why: string): void {
    const name = `${run.job}:${run.number}`;
    const changes = this.#guard(() => {
      const record = this.#o.runs.get(id);
      if (record === undefined || (record.state !== "queued" && record.state !== "running")) return [];
      const dispatch = this.#o.runs.dispatchOf(record.dispatchId);
      const decision = decideLost({
        run: name,
        why,
        lostBefore: this.#o.runs.lostCount(record.dispatchId),
        limit: this.#o.getConfig().laminar.requeueLost,
        reason: dispatch?.reason ?? "",
      });
      return this.#o.runs.markLost(id, decision);
    }) ?? [];
    for (const change of changes) {
      this.#o.onChange?.(change);
      if (change.state === "error") this.#o.logger.error({ dispatch: change.dispatchId, run: name }, change.reason ?? `${name} was lost`);
      else this.#o.logger.warn({ dispatch: change.dispatchId, run: name }, change.reason ?? `${name} was lost`);
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
  #apply(id: number, run: { state: string }, facts: RunFacts): void {
    if (run.state !== "queued" && run.state !== "running") return;
    const state = advanceTo(run.state, facts.state);
    if (state === undefined || state === "queued") return;
    const progress = {
      state,
      ...(facts.startedAt === undefined ? {} : { startedAt: facts.startedAt }),
      ...(facts.completedAt === undefined ? {} : { completedAt: facts.completedAt }),
    };
    const change = this.#guard(() => this.#o.runs.advance(id, progress));
    if (change === undefined) return;
    this.#o.onChange?.(change);
    this.#o.logger.debug?.({ dispatch: change.dispatchId, run: `${change.job}:${change.runNumber}` }, `${change.job}:${change.runNumber} ${state}`);
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
    return { timeoutMs: this.#o.snapshotTimeoutMs ?? 10_000, signal: this.#abort.signal, ...(this.#o.fetch === undefined ? {} : { fetch: this.#o.fetch }) };
  }

  #recheckMs(): number {
    return this.#o.recheckMs ?? 1000;
  }
}
