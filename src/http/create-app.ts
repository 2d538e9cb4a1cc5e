// The Koa app: a small core of endpoints. Hooks at `{path}` and `{path}/{forge}`, health at
// /healthz and /readyz. Metrics are mounted by src/observe when given.

import Koa, { type Context, type Middleware, type Next } from "koa";
import { Router } from "@koa/router";
import { HttpMethodEnum, koaBody } from "koa-body";
import { formatSize } from "../config/units.ts";
import { HttpError } from "../errors.ts";
import type { Logger } from "../observe/logger.ts";
import { allowHookSenders, loopbackOnly } from "./access-control.ts";
import { errorAnswer } from "./error-answer.ts";
import { chooseContentType, chooseForge, receiveHook } from "./receive-hook.ts";
import type { HookServices } from "./services.ts";

export interface AppOptions extends HookServices {
  logger: Logger;
  /** Extra routes (GET /metrics), mounted before the hooks; `internal` guards them like /readyz. */
  extraRoutes?: (router: Router, internal: Middleware) => void;
  /** A monotonic clock in ms for answer times; performance.now by default. */
  monotonic?: () => number;
}

export function createApp(options: AppOptions): Koa {
  const app = new Koa();
  // Errors are answered and logged by errorAnswer; koa's default handler would print them again.
  app.silent = true;
  const router = new Router();
  const path = options.getConfig().server.path;
  const hookPath = path === "/" ? "" : path;

  router.get("/healthz", (ctx) => {
    ctx.body = { message: "ok" };
  });
  const internal = loopbackOnly(options.getConfig);
  router.get("/readyz", internal, (ctx) => {
    const writable = options.journal.isWritable();
    ctx.status = writable ? 200 : 503;
    ctx.body = { message: writable ? "ready" : "not ready: the journal cannot be written", journal: writable };
  });
  options.extraRoutes?.(router, internal);

  const receive: Middleware = (ctx) => {
    const state = ctx.state as HookState;
    return receiveHook(ctx, state.forge, state.envelope, state.contentType, options);
  };
  const hook = [allowHookSenders(options.getConfig), checkEdge(options), parseBody(options), receive];
  router.post(hookPath || "/", ...hook);
  router.post(`${hookPath}/:forge`, ...hook);

  app.use(timeAnswers(options));
  app.use(errorAnswer(options.logger, () => formatSize(options.getConfig().server.bodyLimitBytes)));
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}

interface HookState {
  forge: ReturnType<typeof chooseForge>;
  envelope: ReturnType<ReturnType<typeof chooseForge>["readEnvelope"]>;
  contentType: "json" | "form";
}

/** Everything that can be refused before reading the body, in a fixed order. */
function checkEdge(options: AppOptions): Middleware {
  return async (ctx: Context, next: Next) => {
    const forge = chooseForge(ctx);
    (ctx.state as Partial<HookState>).forge = forge;
    const contentType = chooseContentType(ctx);
    const envelope = forge.readEnvelope(ctx.headers);
    const state = ctx.state as HookState;
    state.contentType = contentType;
    state.envelope = envelope;
    const declared = Number(ctx.get("content-length") || 0);
    const limit = options.getConfig().server.bodyLimitBytes;
    if (declared > limit) {
      // Refuse before reading a byte; the client may still be sending, so close after answering.
      ctx.set("Connection", "close");
      throw Object.assign(new Error("body too large"), { status: 413, expose: true });
    }
    await next();
  };
}

/** koa-body with the limit from the config; its 1 MB default would refuse real GitHub pushes. */
function parseBody(options: AppOptions): Middleware {
  const parsers = new Map<number, Middleware>();
  return (ctx, next) => {
    const limit = options.getConfig().server.bodyLimitBytes;
    let parser = parsers.get(limit);
    if (!parser) {
      parser = koaBody({
        jsonLimit: limit,
        formLimit: limit,
        json: true,
        urlencoded: true,
        text: false,
        multipart: false,
        jsonStrict: true,
        includeUnparsed: true,
        parsedMethods: [HttpMethodEnum.POST],
      }) as Middleware;
      parsers.set(limit, parser);
    }
    let read = false;
    return parser(ctx, () => {
      read = true;
      return next();
    }).catch((error: unknown) => {
      // Errors from after the body was read pass as they are.
      if (read) throw error;
      const { status, type } = error as { status?: unknown; type?: unknown };
      const encoding = ctx.get("content-encoding") || "identity";
      // An unknown Content-Encoding: a bare 415 from koa-body's inflation, without a message to show.
      if (status === 415 && type === undefined) {
        throw new HttpError(415, `Content-Encoding ${encoding} is not accepted; send the body as it is, or as gzip, deflate or br`);
      }
      if (typeof status === "number") throw error;
      // zlib's errors (a body that says gzip, deflate or br and is not) carry no status: they are
      // the client's, not a 500.
      throw new HttpError(400, `the body cannot be read as Content-Encoding ${encoding}: ${(error as Error).message}`);
    });
  };
}

function timeAnswers(options: AppOptions): Middleware {
  const now = options.monotonic ?? (() => performance.now());
  return async (ctx, next) => {
    const started = now();
    try {
      await next();
    } finally {
      const ms = now() - started;
      options.observe.answered(ctx.status, ms / 1000);
      if (ctx.method === "POST") logDelivery(ctx, ms, options);
    }
  };
}

/** One log line per delivery: what came, what was answered, which jobs, how fast. */
function logDelivery(ctx: Context, ms: number, options: AppOptions): void {
  const state = ctx.state as Partial<HookState> & { repo?: string; ref?: string };
  const body = (ctx.body ?? {}) as { message?: string; id?: number; jobs?: { job: string }[]; duplicate?: boolean };
  const forge = state.forge?.name ?? "unknown";
  if (ctx.status >= 400) options.observe.rejected(forge, ctx.status);
  const entry = {
    forge,
    event: state.envelope?.event,
    delivery: state.envelope?.deliveryId,
    id: body.id,
    repo: state.repo,
    ref: state.ref,
    status: ctx.status,
    jobs: body.jobs?.map((job) => job.job),
    ms: Math.round(ms * 100) / 100,
    remote: ctx.req.socket.remoteAddress,
  };
  const message = body.message ?? "";
  if (ctx.status >= 500) options.logger.error(entry, `delivery failed: ${message}`);
  else if (ctx.status >= 400) options.logger.info(entry, `delivery rejected: ${message}`);
  else options.logger.info(entry, message);
}
