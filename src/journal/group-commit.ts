// Group commit: the writes asked for during one turn of the event loop share one durable
// transaction, so one fsync (milliseconds on a virtual disk) is paid per turn, not per delivery.

/** Commits a batch: one result or error per item, in order; throws when nothing was committed. */
type CommitBatch<I, O> = (items: readonly I[]) => (O | Error)[];

interface Waiting<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects items until the current turn of the event loop ends (setImmediate runs after the I/O
 * callbacks of the turn, so every request whose body arrived in it is in the batch), then commits
 * them together. Each promise settles only after the commit returned: durable, or failed.
 */
export class GroupCommit<I, O> {
  readonly #commit: CommitBatch<I, O>;
  readonly #durable: (() => Promise<void>) | undefined;
  #waiting: Waiting<I, O>[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  /**
   * `durable`, when given, is waited for after each commit before any promise settles: the sync
   * of a commit that was made without one (Journal with syncInBackground).
   */
  constructor(commit: CommitBatch<I, O>, durable?: () => Promise<void>) {
    this.#commit = commit;
    this.#durable = durable;
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits what is waiting now (at the end of the turn, or before the journal closes). */
  flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const batch = this.#waiting;
    if (batch.length === 0) return;
    this.#waiting = [];
    let results: (O | Error)[];
    try {
      results = this.#commit(batch.map((waiting) => waiting.item));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    // Only the callbacks wait for the sync: the items (a whole payload each) are garbage already.
    const settlers = batch.map(({ resolve, reject }) => ({ resolve, reject }));
    const settle = () => settlers.forEach((waiting, index) => {
      const result = results[index];
      if (result instanceof Error) waiting.reject(result);
      else waiting.resolve(result as O);
    });
    if (this.#durable === undefined) {
      settle();
      return;
    }
    this.#durable().then(settle, (error: unknown) => {
      for (const waiting of settlers) waiting.reject(error);
    });
  }
}
