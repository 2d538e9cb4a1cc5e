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
  /** What each hold reads and changes: one for all of them. */
  readonly #ledger: Ledger = { fits: (bytes) => this.#fits(bytes), add: (delta) => this.#add(delta) };

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
    const hold = new BudgetHold(this.#ledger);
    return hold.growTo(bytes) ? hold : undefined;
  }

  #add(delta: number): void {
    this.#held += delta;
    this.#changed(this.#held);
  }

  #fits(bytes: number): boolean {
    // Nothing asked is always granted: a request without Content-Length starts at 0 and grows.
    return bytes <= 0 || this.#held + bytes <= this.#limit();
  }
}

/** What a hold may ask of its budget. */
interface Ledger {
  fits(bytes: number): boolean;
  add(delta: number): void;
}

/**
 * A class, not an object literal with a getter: such a literal is put in dictionary mode, with its
 * getter kept from the old generation until a full GC, and so is what its closure holds
 * (read-delivery.ts says what that cost there).
 */
class BudgetHold implements Hold {
  readonly #ledger: Ledger;
  #mine = 0;
  #released = false;

  constructor(ledger: Ledger) {
    this.#ledger = ledger;
  }

  get bytes(): number {
    return this.#mine;
  }

  growTo = (total: number): boolean => {
    if (this.#released) return false;
    const more = total - this.#mine;
    if (more <= 0) return true;
    if (!this.#ledger.fits(more)) return false;
    this.#mine += more;
    this.#ledger.add(more);
    return true;
  };

  /** Bound: the endpoint hands it on as the "verified" callback. */
  release = (): void => {
    if (this.#released) return;
    this.#released = true;
    if (this.#mine === 0) return;
    const mine = this.#mine;
    this.#mine = 0;
    this.#ledger.add(-mine);
  };
}
