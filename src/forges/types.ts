// The contract between the HTTP layer and one forge's dialect. Each forge module is a plain object
// of pure functions over headers, bytes and parsed JSON: no I/O, no clock, no config.

import type { Secret } from "../config/secret.ts";
import type { Envelope, ForgeName, Headers, HookEvent, IncomingDelivery } from "../types.ts";

export interface Forge {
  readonly name: ForgeName;
  /** Whether the headers say this forge sent the request (used when the URL does not name the forge). */
  detect(headers: Headers): boolean;
  /** Event name and delivery id from the headers; throws HttpError(400, clear message) when a required header is missing/empty. */
  readEnvelope(headers: Headers): Envelope;
  /** Whether the request carries a non-empty signature/token at all (Gitea sends empty signature headers when no secret is set: that counts as missing). */
  hasSignature(headers: Headers): boolean;
  /** Constant-time check of the signature over exactly the bytes this forge signs; false when missing or malformed; never throws. */
  verify(delivery: IncomingDelivery, secret: Secret): boolean;
  /**
   * For a signature that covers a timestamp (GitLab's Standard Webhooks): why a verified delivery
   * is too old or too new to accept, or undefined. Forges that sign only the body have no clock to
   * check; the journal's de-duplication is what stops their replays.
   */
  staleSignature?(headers: Headers, now: number): string | undefined;
  /** The repository full name (`owner/name`) the payload is about, or undefined (GitHub org-hook ping). Never throws on odd shapes. */
  readRepository(payload: unknown): string | undefined;
  /** Normalise to the event model; throws HttpError(400) when the payload lacks what the event needs (e.g. push without ref), with a message naming the field. */
  normalise(envelope: Envelope, payload: unknown): Normalised;
}

/**
 * What a delivery means for routing. `handled: false` is a real event of the forge that
 * laminar-hooks does not route (create, delete, issues, star, …): answered 200 "ignored" upstream.
 */
export type Normalised =
  | { handled: true; event: HookEvent }
  | { handled: false; forgeEvent: string; repo?: string; reason: string };
