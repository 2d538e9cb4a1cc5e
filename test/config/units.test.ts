import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDuration, formatSize, parseDuration, parseSize } from "../../src/config/units.ts";

test("durations read as people say them: one formatter for the forge, show, the page and check", () => {
  assert.equal(formatDuration(400), "400ms");
  assert.equal(formatDuration(1_500), "1.5s");
  assert.equal(formatDuration(12_000), "12s");
  assert.equal(formatDuration(60_000), "1m");
  assert.equal(formatDuration(63_400), "1m 3s");
  assert.equal(formatDuration(90_000), "1m 30s");
  assert.equal(formatDuration(2 * 3_600_000 + 5 * 60_000), "2h 5m");
  assert.equal(formatDuration(3_600_000), "1h");
  assert.equal(formatDuration(86_400_000 + 2 * 3_600_000), "1d 2h");
  assert.equal(formatDuration(-1), "");
});

test("a whole unit reads as the config writes it", () => {
  for (const text of ["250ms", "30s", "10m", "2h", "30d"]) assert.equal(formatDuration(parseDuration(text)!), text);
  assert.equal(formatSize(parseSize("25mb")!), "25mb");
});
