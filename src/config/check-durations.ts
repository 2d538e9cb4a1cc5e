// Durations that only make sense together, checked at load (each alone is bounded in schema.ts).

import { formatDuration } from "./units.ts";
import type { DocPath } from "./locate.ts";
import type { RawConfig } from "./schema.ts";

type Report = (path: DocPath, message: string, key?: boolean) => void;

/**
 * The backoff caps each wait at `max_delay` (backoff.ts): below `delay`, every retry would wait
 * `max_delay`, which is surely not what was meant (`delay: 10m, max_delay: 1s`).
 */
export function checkDurations(raw: RawConfig, at: Report): void {
  const retry = raw.laminar.retry;
  if (retry.max_delay < retry.delay) {
    at(["laminar", "retry", "max_delay"],
      `laminar.retry.max_delay (${formatDuration(retry.max_delay)}) is shorter than laminar.retry.delay (${formatDuration(retry.delay)}): `
        + "the wait between attempts grows from delay up to max_delay; raise max_delay or lower delay");
  }
}
