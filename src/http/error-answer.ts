// The one place that turns an error into an answer: always JSON with a `message`. Client errors
// (4xx, `expose`) say what was wrong; anything else is a 500 whose details stay in the log, never
// a stack trace to the client.

import type { Context, Next } from "koa";
import { HttpError, JournalUnavailableError } from "../errors.ts";
import type { Logger } from "../observe/logger.ts";
import { ServiceBusyError } from "./service-busy.ts";

interface StatusError {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  message?: unknown;
  type?: unknown;
}

export function errorAnswer(logger: Logger, bodyLimitOf: () => string) {
  return async function answerErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, `no endpoint at ${ctx.method} ${ctx.path}`);
      }
    } catch (caught) {
      const error = (caught ?? {}) as StatusError;
      const raw = typeof error.status === "number" ? error.status : typeof error.statusCode === "number" ? error.statusCode : 500;
      const status = raw >= 400 && raw < 600 ? raw : 500;
      ctx.status = status;
      ctx.type = "application/json";
      const details = caught instanceof HttpError ? caught.details : {};
      ctx.body = { message: publicMessage(error, status, bodyLimitOf), ...details };
      if (caught instanceof ServiceBusyError) {
        ctx.set("Retry-After", String(caught.retryAfterSeconds));
        return;
      }
      if (status >= 500) {
        logger.error({ err: caught, method: ctx.method, path: ctx.path, status }, "request failed");
      }
    }
  };
}

function publicMessage(error: StatusError, status: number, bodyLimitOf: () => string): string {
  if (error instanceof JournalUnavailableError || error instanceof HttpError) return error.message;
  if (status === 413) return `the body is larger than body_limit (${bodyLimitOf()})`;
  if (status === 400 && error.type === "request.aborted") return "the request was aborted before its body arrived";
  if (status < 500 && error.expose === true && typeof error.message === "string") return error.message;
  if (status < 500) return `bad request (${status})`;
  return "internal error; the service log has the details";
}
