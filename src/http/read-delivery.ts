// Turns the body's bytes into the IncomingDelivery a forge verifies and normalises: the exact
// bytes, and the JSON document with the text it was parsed from (form bodies carry it in
// `payload`, and Gitea, Forgejo and Gogs sign that inner text, reference/forges.md).

import { isUtf8 } from "node:buffer";
import type { IncomingHttpHeaders } from "node:http";
import { HttpError } from "../errors.ts";
import type { IncomingDelivery } from "../types.ts";

export function readDelivery(headers: IncomingHttpHeaders, rawBody: Buffer, contentType: "json" | "form"): IncomingDelivery {
  // JSON is UTF-8 (RFC 8259), and every forge sends it so; a body that is not cannot be what it says.
  if (!isUtf8(rawBody)) throw new HttpError(400, "the body is not valid UTF-8");
  const text = rawBody.toString("utf8");
  if (contentType === "json") {
    const payload = parseJson(text, "the body");
    if (!isObject(payload)) throw new HttpError(400, "the JSON body must be an object");
    return { headers, rawBody, payload, payloadText: text, contentType };
  }
  const fields = new URLSearchParams(text).getAll("payload");
  const payloadText = fields[0];
  if (fields.length !== 1 || payloadText === undefined) {
    throw new HttpError(400, "a form-encoded body must carry the JSON in one `payload` field");
  }
  const payload = parseJson(payloadText, "the payload field");
  if (!isObject(payload)) throw new HttpError(400, "the JSON in the payload field must be an object");
  return { headers, rawBody, payload, payloadText, contentType };
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
