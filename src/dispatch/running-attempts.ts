// The attempts a worker loop has in flight, each with its own abort signal: the dispatcher's
// laminarc runs and the status poster's posts are both started, counted, cut short and awaited
// this one way.

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

export class RunningAttempts {
  readonly #running = new Map<number, Running>();

  get size(): number {
    return this.#running.size;
  }

  /**
   * Starts `attempt` under its own abort signal. A rejection goes to `onError` (never unhandled);
   * once it has settled either way, its slot is free and `onSettled` runs (the loop fills the slot).
   */
  start(id: number, attempt: (signal: AbortSignal) => Promise<void>, onError: (error: unknown) => void, onSettled: () => void): void {
    const controller = new AbortController();
    const done = attempt(controller.signal)
      .catch(onError)
      .finally(() => {
        this.#running.delete(id);
        onSettled();
      });
    this.#running.set(id, { controller, done });
  }

  /** Resolves once every attempt in flight now has settled. */
  async settled(): Promise<void> {
    await Promise.all([...this.#running.values()].map((entry) => entry.done));
  }

  /** Signals every attempt in flight to stop at once (shutdown). */
  abortAll(): void {
    for (const entry of this.#running.values()) entry.controller.abort();
  }
}
