// Durations and sizes as people write them in the config: `500ms`, `30s`, `10m`, `2h`, `30d`;
// `512kb`, `25mb`. Binary multiples for sizes, as nginx's client_max_body_size reads them.

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const SIZE_UNITS_BYTES: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1024,
  k: 1024,
  mb: 1024 ** 2,
  m: 1024 ** 2,
  gb: 1024 ** 3,
  g: 1024 ** 3,
};

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = DURATION_UNITS_MS[match[2]!.toLowerCase()]!;
  return Math.round(Number(match[1]) * unit);
}

/** Bytes, or undefined when the text is not a size. A bare number is bytes. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = SIZE_UNITS_BYTES[(match[2] ?? "b").toLowerCase()]!;
  return Math.floor(Number(match[1]) * unit);
}

/**
 * How long something is, as people say it: `400ms`, `1.5s`, `12s`, `1m`, `1m 3s`, `2h 5m`, `30d`
 * (a whole unit reads as the config writes it). The one duration formatter: `check` prints the config's values
 * with it, messages their waits and limits, and a run's time reads the same on the forge, in `show`
 * and on the page. Two units at most: past ten seconds, the rest is rounded away.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${Math.round(ms / 100) / 10}s`;
  const seconds = Math.round(ms / 1000);
  const units = [["d", 86_400], ["h", 3_600], ["m", 60], ["s", 1]] as const;
  const index = units.findIndex(([, size]) => seconds >= size);
  const [unit, size] = units[index]!;
  const whole = Math.floor(seconds / size);
  const next = units[index + 1];
  const rest = next === undefined ? 0 : Math.floor((seconds % size) / next[1]);
  return rest > 0 && next !== undefined ? `${whole}${unit} ${rest}${next[0]}` : `${whole}${unit}`;
}

/** `26214400` → `25mb`. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [["gb", 1024 ** 3], ["mb", 1024 ** 2], ["kb", 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}b`;
}
