import type { RunStateChange, RunStateListener } from "../journal/run-state.ts";

/**
 * The listeners of run-state changes (the status outbox, and anything else that must commit with
 * the change). `emit` is called inside the journal transaction that records a change; a listener
 * that throws rolls that transaction back, so the change and its consequences stay together.
 */
export class RunStateHub {
  readonly #listeners = new Set<RunStateListener>();

  /** Adds a listener; the function returned removes it. */
  add(listener: RunStateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  readonly emit = (change: RunStateChange): void => {
    for (const listener of this.#listeners) listener(change);
  };
}
