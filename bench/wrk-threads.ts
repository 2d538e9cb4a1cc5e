// The load generator's thread counts (`--threads 1,2`). On a 2-core machine wrk's second thread
// takes CPU from the single-threaded service more than from webhook (issue 22, part 5): the
// verdict depends on it, so the comparisons run, and are judged, at each setting.

/** `--threads` as given ("1,2"): distinct positive integers, in ascending order. */
export function parseThreadSettings(text: string): number[] {
  const parts = text.split(",").map((part) => part.trim()).filter(Boolean);
  const settings = parts.map(Number);
  if (settings.length === 0 || settings.some((threads) => !Number.isInteger(threads) || threads < 1)) {
    throw new Error(`--threads takes wrk thread counts separated by commas, such as 1,2; not "${text}"`);
  }
  return [...new Set(settings)].sort((a, b) => a - b);
}

/**
 * The settings that apply at `connections`: wrk gives each thread a connection at least, so a
 * setting above `connections` runs as `connections` threads, once (at 1 connection, 1 thread).
 */
export function threadsAt(settings: readonly number[], connections: number): number[] {
  return [...new Set(settings.map((threads) => Math.min(threads, connections)))];
}
