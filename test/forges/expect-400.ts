// The 400 a user sees, with the message they read.

import assert from "node:assert/strict";
import { HttpError } from "../../src/errors.ts";

export function expect400(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof HttpError, `expected an HttpError, got ${String(error)}`);
    assert.equal(error.status, 400);
    assert.match(error.message, message);
    return true;
  });
}
