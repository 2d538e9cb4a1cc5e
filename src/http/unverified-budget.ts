// The bytes held by hook bodies whose signature is not checked yet, all requests together. Anyone
// may send a body of up to body_limit before its signature says who sent it; without a bound, 40
// slow senders of 25 MB hold 1 GB. Bookkeeping only: the endpoint reserves, grows and releases.

/** One request's share of the budget. */
export interface Hold {
  /** Bytes reserved for this request now. */
  readonly bytes: number;
  /** Reserves `total` bytes in all for this request; false, and nothing changed, when they do not fit. */
  growTo(total: number): boolean;
  /** Gives the bytes back (the body is verified, refused, or gone); again is harmless. */
  release(): void;
}

export class UnverifiedBudget {
  #held = 0;
  readonly #limit: () => number;
  readonly #changed: (held: number) => void;

  /** `limit` is read at each reservation, so a config reload applies to the next request. */
  constructor(limit: () => number, changed: (held: number) => void = () => {}) {
    this.#limit = limit;
    this.#changed = changed;
  }

  get held(): number {
    return this.#held;
  }

  get limit(): number {
    return this.#limit();
  }

  /** A hold on `bytes`, or undefined when they do not fit beside what the others hold. */
  hold(bytes: number): Hold | undefined {
    if (!this.#fits(bytes)) return undefined;
    let mine = 0;
    let released = false;
    const take = (more: number) => {
      mine += more;
      this.#held += more;
      this.#changed(this.#held);
    };
    if (bytes > 0) take(bytes);
    return {
      get bytes() {
        return mine;
      },
      growTo: (total) => {
        if (released) return false;
        const more = total - mine;
        if (more <= 0) return true;
        if (!this.#fits(more)) return false;
        take(more);
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        if (mine === 0) return;
        this.#held -= mine;
        mine = 0;
        this.#changed(this.#held);
      },
    };
  }

  #fits(bytes: number): boolean {
    // Nothing asked is always granted: a request without Content-Length starts at 0 and grows.
    return bytes <= 0 || this.#held + bytes <= this.#limit();
  }
}
