// Turns what koa-body parsed into the IncomingDelivery a forge verifies and normalises: the exact
// bytes, and the JSON document with the text it was parsed from (form bodies carry it in
// `payload`, and Gitea, Forgejo and Gogs sign that inner text, reference/forges.md).

import type { Context } from "koa";
import { HttpError } from "../errors.ts";
import type { IncomingDelivery } from "../types.ts";

export function readDelivery(ctx: Context, contentType: "json" | "form"): IncomingDelivery {
  const rawText = ctx.request.rawBody ?? "";
  const rawBody = Buffer.from(rawText, "utf8");
  if (contentType === "json") {
    const payload = ctx.request.body;
    if (!isObject(payload)) throw new HttpError(400, "the JSON body must be an object");
    return { headers: ctx.headers, rawBody, payload, payloadText: rawText, contentType };
  }
  const form = ctx.request.body;
  const payloadText = isObject(form) ? form.payload : undefined;
  if (typeof payloadText !== "string") {
    throw new HttpError(400, "a form-encoded body must carry the JSON in one `payload` field");
  }
  let payload: unknown;
  try {
    payload = JSON.parse(payloadText);
  } catch (error) {
    throw new HttpError(400, `the payload field is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(payload)) throw new HttpError(400, "the JSON in the payload field must be an object");
  return { headers: ctx.headers, rawBody, payload, payloadText, contentType };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
