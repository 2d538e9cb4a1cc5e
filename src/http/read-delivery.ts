// Turns the body's bytes into the IncomingDelivery a forge verifies and normalises: the exact
// bytes, and the JSON document with the text it was parsed from (form bodies carry it in
// `payload`, and Gitea, Forgejo and Gogs sign that inner text, reference/forges.md). In two steps,
// so that a signature can be checked before a byte of JSON is parsed.

import { isUtf8 } from "node:buffer";
import type { IncomingHttpHeaders } from "node:http";
import { HttpError } from "../errors.ts";
import type { IncomingDelivery } from "../types.ts";

/** A delivery whose JSON is not parsed yet: all a signature check reads. */
type UnparsedDelivery = IncomingDelivery & { payload: undefined };

/** The bytes and the JSON text a forge signs; 400 for a body that cannot hold JSON at all. */
export function readPayloadText(headers: IncomingHttpHeaders, rawBody: Buffer, contentType: "json" | "form"): UnparsedDelivery {
  // JSON is UTF-8 (RFC 8259), and every forge sends it so; a body that is not cannot be what it says.
  if (!isUtf8(rawBody)) throw new HttpError(400, "the body is not valid UTF-8");
  if (contentType === "json") return new UnparsedJson(headers, rawBody);
  const fields = new URLSearchParams(rawBody.toString("utf8")).getAll("payload");
  const payloadText = fields[0];
  if (fields.length !== 1 || payloadText === undefined) {
    throw new HttpError(400, "a form-encoded body must carry the JSON in one `payload` field");
  }
  return { headers, rawBody, payload: undefined, payloadText, contentType };
}

/**
 * A JSON body's text is made when first read: GitHub and GitLab sign the bytes, so an unsigned 20 MB
 * body is refused without a 20 MB string beside its bytes.
 *
 * A class, not an object literal with a getter: such a literal is put in dictionary mode, and V8
 * keeps its getter in a pair allocated in the old generation. That pair kept the getter's closure,
 * and so the text, alive through every scavenge until the next full GC: every payload text (8.5 KB
 * of the bench's push) was promoted instead of dying young, and at 10 connections a full GC ran
 * every ~300 ms, its pauses (up to 13 ms) most of the p99. test/http/fast-properties.test.ts.
 */
class UnparsedJson implements UnparsedDelivery {
  readonly payload = undefined;
  readonly contentType = "json" as const;
  #text: string | undefined;

  constructor(readonly headers: IncomingHttpHeaders, readonly rawBody: Buffer) {}

  get payloadText(): string {
    this.#text ??= this.rawBody.toString("utf8");
    return this.#text;
  }
}

/** The JSON document, which must be an object; 400 otherwise. */
export function parsePayload(delivery: UnparsedDelivery): IncomingDelivery {
  const what = delivery.contentType === "json" ? "the body" : "the payload field";
  const payload = parseJson(delivery.payloadText, what);
  if (!isObject(payload)) {
    throw new HttpError(400, delivery.contentType === "json" ? "the JSON body must be an object" : "the JSON in the payload field must be an object");
  }
  return { headers: delivery.headers, rawBody: delivery.rawBody, payload, payloadText: delivery.payloadText, contentType: delivery.contentType };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
