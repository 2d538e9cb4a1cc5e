// A small seeded PRNG (mulberry32) for the fuzz tests. fast-check was considered: its shrinking
// does not help against a server whose state (journal, metrics) changes with every request, and
// the generators here are request recipes rather than values; ten lines of PRNG replay a whole run
// exactly from one printed seed, without a dependency.

export interface Random {
  readonly seed: number;
  /** In [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
  /** Printable ASCII, no control characters (what a header value may hold). */
  ascii(n: number): string;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    seed,
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    bytes(n) {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) out[i] = int(256);
      return out;
    },
    ascii(n) {
      let out = "";
      for (let i = 0; i < n; i++) out += String.fromCharCode(0x20 + int(0x5f));
      return out;
    },
  };
}

/** The seed from LH_FUZZ_SEED (to replay a failure), else a fresh one. */
export function fuzzSeed(): number {
  const given = process.env.LH_FUZZ_SEED;
  if (given !== undefined && given !== "") return Number(given) >>> 0;
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}
