import type { StageLogger } from "../observe/stage-logger.ts";
import { RunningAttempts } from "./running-attempts.ts";
import { WakeSchedule } from "./wake-schedule.ts";

/** How a WorkerLoop names its work in the log. */
interface WorkerWords {
  /** The log field that carries a piece of work's id: "dispatch", "post". */
  idField: string;
  /** What claim() takes, in "cannot claim … from the journal": "due dispatches". */
  claimed: string;
  /** One outcome, in "cannot record … in the journal": "a laminarc attempt". */
  outcome: string;
  /** What becomes of outcomes still unrecorded when the loop stops. */
  leftAtStop: string;
}

/** What a WorkerLoop does its work with; `Work` is what the journal hands out, `Done` how one ended. */
export interface WorkerLoopOptions<Work, Done> {
  /** How many pieces of work may be in flight; read at each step, so a reload applies. */
  capacity: () => number;
  /** Marks up to `max` due pieces of work in flight in the journal and returns them; may throw. */
  claim: (now: number, max: number) => Work[];
  /** When the next piece of work is due (ms since the epoch), or null; may throw. */
  nextDue: () => number | null;
  idOf: (work: Work) => number;
  /** One piece of work, cut short by `signal` at a shutdown. What it resolves to is recorded. */
  attempt: (work: Work, signal: AbortSignal) => Promise<Done>;
  /**
   * Writes outcomes to the journal, all of those ended in one turn together: for each, undefined
   * once written or the error that kept it out. May throw: then none was written.
   */
  record: (done: readonly Done[]) => unknown[];
  /** Logs an outcome and tells the hooks (metrics); once, after its first try at being recorded. */
  announce: (done: Done) => void;
  /**
   * Record what ended before claiming more (the status poster: a forge's rate limit must be in the
   * journal before the next post to it is claimed). Otherwise free slots are filled first and the
   * outcomes written after (the dispatcher: a laminarc call then waits for no write, and the
   * outcomes not written yet still hold their dispatches `running`, so none is claimed twice).
   */
  recordFirst: boolean;
  /** ms since the epoch */
  now: () => number;
  /** The longest sleep: picks up work another process added to the same journal. */
  pollIntervalMs: number;
  logger: StageLogger;
  words: WorkerWords;
}

/** An outcome not in the journal yet; `announced` once logged and told to the hooks. */
interface Unrecorded<Done> {
  work: number;
  done: Done;
  announced: boolean;
}

/** Waiting before reading a journal that just failed again. */
const JOURNAL_RETRY_MS = 1000;

/**
 * The loop of a journal-driven worker (the dispatcher's laminarc calls, the status poster's posts):
 * woken by a kick, the next due time or the poll interval, it claims what is due up to its
 * capacity, runs each piece under its own abort signal, and records how each ended, keeping in
 * memory and writing again whatever the journal refused. Its state is in the journal, so a
 * restarted process resumes where the last one stopped; what the worker does is in its options.
 */
export class WorkerLoop<Work, Done> {
  readonly #o: WorkerLoopOptions<Work, Done>;
  readonly #wake: WakeSchedule;
  readonly #running = new RunningAttempts();
  /** Outcomes whose record failed (journal unavailable): written again before anything new. */
  readonly #unrecorded: Unrecorded<Done>[] = [];
  #started = false;
  #stopping = false;

  constructor(options: WorkerLoopOptions<Work, Done>) {
    this.#o = options;
    this.#wake = new WakeSchedule({
      pump: () => this.#pump(),
      now: options.now,
      pollIntervalMs: options.pollIntervalMs,
      hasRoom: () => this.#running.size < options.capacity(),
      nextDue: options.nextDue,
      onError: (error) => options.logger.error({ err: error }, "cannot read the journal; trying again in 1s"),
      retryMs: JOURNAL_RETRY_MS,
    });
  }

  /** Pieces of work in flight now. */
  get inFlight(): number {
    return this.#running.size;
  }

  /**
   * Runs `recover` (which puts back what a previous process left in flight), then starts working;
   * a second call does neither, since what is in flight then is this loop's own.
   */
  start(recover: () => void): void {
    if (this.#started) return;
    recover();
    this.#started = true;
    this.#wake.start();
    this.#pump();
  }

  /** Looks for due work soon: deferred and coalesced, so a caller's transaction has committed by then. */
  kick(): void {
    if (this.#started && !this.#stopping) this.#wake.kick();
  }

  /**
   * Stops claiming, lets the work in flight finish for up to `graceMs` (none by default), then cuts
   * the rest short and records how all of it ended. Resolves once every piece has settled.
   */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    this.#stopping = true;
    this.#wake.stop();
    const graceMs = Math.max(0, options.graceMs ?? 0);
    if (this.#running.size > 0 && graceMs > 0) {
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        graceTimer = setTimeout(resolve, graceMs);
      });
      await Promise.race([this.#running.settled(), grace]);
      clearTimeout(graceTimer);
    }
    this.#running.abortAll();
    await this.#running.settled();
    this.#flushUnrecorded();
    if (this.#unrecorded.length > 0) {
      this.#o.logger.error(
        { unrecorded: this.#unrecorded.map((item) => item.work) },
        `the journal could not be written; ${this.#o.words.leftAtStop}`,
      );
    }
  }

  /** One step: claims as many due pieces as there are free slots and starts them, records what ended, sets the timer. */
  #pump(): void {
    if (!this.#started || this.#stopping) return;
    if (this.#o.recordFirst && !this.#flushUnrecorded()) {
      this.#wake.schedule(JOURNAL_RETRY_MS);
      return;
    }
    const free = this.#o.capacity() - this.#running.size;
    if (free > 0) {
      let claimed: Work[];
      try {
        claimed = this.#o.claim(this.#o.now(), free);
      } catch (error) {
        this.#o.logger.error({ err: error }, `cannot claim ${this.#o.words.claimed} from the journal; trying again in 1s`);
        this.#flushUnrecorded();
        this.#wake.schedule(JOURNAL_RETRY_MS);
        return;
      }
      for (const work of claimed) this.#begin(work);
    }
    const recorded = this.#flushUnrecorded();
    this.#wake.schedule(recorded ? undefined : JOURNAL_RETRY_MS);
  }

  #begin(work: Work): void {
    const id = this.#o.idOf(work);
    this.#running.start(
      id,
      async (signal) => {
        const done = await this.#o.attempt(work, signal);
        this.#unrecorded.push({ work: id, done, announced: false });
      },
      (error) => this.#o.logger.error({ err: error, [this.#o.words.idField]: id }, `${this.#o.words.outcome} failed unexpectedly`),
      // Coalesced: the outcomes of this turn are recorded, and their slots filled, together.
      () => this.kick(),
    );
  }

  /**
   * Writes the outcomes not yet recorded, in one call; false while the journal refuses some. Each
   * is judged on its own, so one that can never be written (its delivery deleted by hand) blocks
   * no other.
   */
  #flushUnrecorded(): boolean {
    const waiting = this.#unrecorded.splice(0);
    if (waiting.length === 0) return true;
    let errors: unknown[];
    try {
      errors = this.#o.record(waiting.map((item) => item.done));
    } catch (error) {
      errors = waiting.map(() => error);
    }
    waiting.forEach((item, index) => {
      const error = errors[index];
      if (error !== undefined) {
        this.#o.logger.error(
          { err: error, [this.#o.words.idField]: item.work },
          `cannot record ${this.#o.words.outcome} in the journal; keeping it in memory and trying again`,
        );
        this.#unrecorded.push(item);
      }
      this.#announce(item);
    });
    return this.#unrecorded.length === 0;
  }

  #announce(item: Unrecorded<Done>): void {
    if (item.announced) return;
    item.announced = true;
    try {
      this.#o.announce(item.done);
    } catch (error) {
      this.#o.logger.error({ err: error }, `the hook told of ${this.#o.words.outcome} threw`);
    }
  }
}
