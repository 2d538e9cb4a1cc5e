/** What a WakeSchedule needs to know of the loop it wakes. */
export interface WakeScheduleOptions {
  /** The loop's one step: claim what is due, start it, then call schedule(). */
  pump: () => void;
  /** ms since the epoch */
  now: () => number;
  /** The longest sleep: picks up work another process added to the same journal. */
  pollIntervalMs: number;
  /** Whether a slot is free: only then is the next due time worth reading. */
  hasRoom: () => boolean;
  /** When the next piece of work is due (ms since the epoch), or null; may throw (journal unavailable). */
  nextDue: () => number | null;
  /** How to say that nextDue threw; the schedule tries again after `retryMs`. */
  onError: (error: unknown) => void;
  retryMs: number;
}

/**
 * When a journal-driven worker loop (the dispatcher, the status poster) runs its next step: at once
 * when kicked (deferred to the next turn and coalesced, so a caller's write or transaction is done
 * first), else at the next due time, else after the poll interval. One timer, unref'd.
 */
export class WakeSchedule {
  readonly #options: WakeScheduleOptions;
  #active = false;
  #kickQueued = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: WakeScheduleOptions) {
    this.#options = options;
  }

  /** Whether the loop runs: between start() and stop(). */
  get active(): boolean {
    return this.#active;
  }

  start(): void {
    this.#active = true;
  }

  /** No more steps; a kick or timer already queued does nothing. */
  stop(): void {
    this.#active = false;
    clearTimeout(this.#timer);
  }

  /** Runs a step soon: in the next turn of the event loop, once however often it is kicked meanwhile. */
  kick(): void {
    if (!this.#active || this.#kickQueued) return;
    this.#kickQueued = true;
    setImmediate(() => {
      this.#kickQueued = false;
      if (this.#active) this.#options.pump();
    });
  }

  /** Sets the one timer: after `delayMs` if given, else at the next due time or the poll interval. */
  schedule(delayMs?: number): void {
    clearTimeout(this.#timer);
    if (!this.#active) return;
    const options = this.#options;
    let delay = delayMs ?? options.pollIntervalMs;
    if (delayMs === undefined && options.hasRoom()) {
      try {
        const due = options.nextDue();
        if (due !== null) delay = Math.min(delay, Math.max(0, due - options.now()));
      } catch (error) {
        options.onError(error);
        delay = Math.min(delay, options.retryMs);
      }
    }
    // stop() clears it.
    this.#timer = setTimeout(() => options.pump(), delay);
    this.#timer.unref();
  }
}
