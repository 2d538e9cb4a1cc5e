// The count of wrong ui.auth credentials per address (src/ui/failed-logins.ts), with the clock
// given: the lockout after MAX_FAILURES, its end when the oldest failure leaves the window, a
// success forgetting the address, and addresses counted apart.

import assert from "node:assert/strict";
import { test } from "node:test";
import { FailedLogins, MAX_FAILURES, WINDOW_MS } from "../../src/ui/failed-logins.ts";

test("an address waits after MAX_FAILURES in the window, until its oldest failure leaves it", () => {
  const logins = new FailedLogins();
  const start = 1_000_000;
  for (let n = 0; n < MAX_FAILURES - 1; n++) logins.failed("203.0.113.1", start + n * 1000);
  assert.equal(logins.waitFor("203.0.113.1", start + 9000), 0, "one try is left");
  logins.failed("203.0.113.1", start + 9000);
  assert.equal(logins.waitFor("203.0.113.1", start + 10_000), WINDOW_MS - 10_000);
  assert.equal(logins.waitFor("198.51.100.2", start + 10_000), 0, "another address is counted apart");
  // The first failure leaves the window: one try again, and a wrong one locks it again.
  assert.equal(logins.waitFor("203.0.113.1", start + WINDOW_MS), 0);
  logins.failed("203.0.113.1", start + WINDOW_MS);
  assert.equal(logins.waitFor("203.0.113.1", start + WINDOW_MS), 1000);
});

test("a success forgets the address's failures", () => {
  const logins = new FailedLogins();
  for (let n = 0; n < MAX_FAILURES; n++) logins.failed("203.0.113.1", n);
  assert.ok(logins.waitFor("203.0.113.1", MAX_FAILURES) > 0);
  logins.succeeded("203.0.113.1");
  assert.equal(logins.waitFor("203.0.113.1", MAX_FAILURES), 0);
});

test("failures from many addresses are bounded: the address that failed longest ago is forgotten first", () => {
  const logins = new FailedLogins();
  for (let n = 0; n < MAX_FAILURES; n++) logins.failed("203.0.113.1", n);
  for (let address = 0; address < 10_000; address++) logins.failed(`10.0.${address >> 8}.${address & 255}`, 100);
  assert.equal(logins.waitFor("203.0.113.1", 200), 0, "forgotten once 10,000 others failed after it");
  for (let n = 0; n < MAX_FAILURES; n++) logins.failed("10.0.0.1", 100);
  assert.ok(logins.waitFor("10.0.0.1", 200) > 0, "a recent address is still counted");
});
