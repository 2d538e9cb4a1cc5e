// Wrong ui.auth credentials, counted per client address, so that the page's password cannot be
// guessed at the speed of HTTP: past MAX_FAILURES in WINDOW_MS an address is refused (429) until
// its oldest failure leaves the window, the right password included, or the refusal would tell a
// guess that is right from one that is wrong.

/** Failures an address may make within the window; a person mistyping gets this many tries. */
export const MAX_FAILURES = 10;
export const WINDOW_MS = 15 * 60_000;
/** Addresses remembered at most: a flood from many addresses forgets the oldest, not the memory. */
const MAX_ADDRESSES = 10_000;

export class FailedLogins {
  /**
   * Each address's last MAX_FAILURES failure times, oldest first; Map order: oldest address first.
   * MAX_FAILURES in the window means the MAX_FAILURES-th latest is in it, so no older time matters.
   */
  readonly #failures = new Map<string, number[]>();

  /** How long `address` must still wait, in ms; 0 when it may try. */
  waitFor(address: string, now: number): number {
    const times = this.#failures.get(address) ?? [];
    if (times.length < MAX_FAILURES) return 0;
    return Math.max(0, times[times.length - MAX_FAILURES]! + WINDOW_MS - now);
  }

  failed(address: string, now: number): void {
    const times = [...(this.#failures.get(address) ?? []), now].slice(-MAX_FAILURES);
    // Moved to the end: the address forgotten first is the one that failed longest ago.
    this.#failures.delete(address);
    this.#failures.set(address, times);
    if (this.#failures.size > MAX_ADDRESSES) this.#failures.delete(this.#failures.keys().next().value!);
  }

  succeeded(address: string): void {
    this.#failures.delete(address);
  }
}
