// The token a form of the page carries to act: an HMAC of the signed-in user and the action under
// a key this process drew at start. A page on another site cannot read our pages (the same-origin
// policy), so it cannot know the token, even while the browser sends the user's basic credentials
// along with its forged post. A restart draws a new key: a page loaded before it must be reloaded.
// `once` is each rendered form's idempotency key: two posts of one form (a double click) act once.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { PageActionKind } from "../journal/index.ts";

export class ActionTokens {
  readonly #key = randomBytes(32);

  /** The token a form for `action` carries for `user`. */
  tokenFor(user: string, action: PageActionKind): string {
    return createHmac("sha256", this.#key).update(`laminar-hooks page action\0${user}\0${action}`, "utf8").digest("base64url");
  }

  /** Whether `given` is the token for `user` and `action`, compared in constant time. */
  verify(user: string, action: PageActionKind, given: string): boolean {
    const expected = Buffer.from(this.tokenFor(user, action), "utf8");
    const actual = Buffer.from(given, "utf8");
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}

/** A fresh idempotency key for one rendered form. */
export function newOnce(): string {
  return randomBytes(16).toString("base64url");
}
