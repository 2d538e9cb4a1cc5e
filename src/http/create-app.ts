// The Koa app: a small core of endpoints. Hooks at `{path}` and `{path}/{forge}`, health at
// /healthz and /readyz. Metrics are mounted by src/observe when given.

import Koa, { type Context, type Middleware, type Next } from "koa";
import { Router } from "@koa/router";
import { formatSize } from "../config/units.ts";
import { HttpError } from "../errors.ts";
import type { Logger } from "../observe/logger.ts";
import { mountUi, type UiJournal } from "../ui/mount-ui.ts";
import { allowHookSenders, loopbackOnly } from "./access-control.ts";
import { errorAnswer } from "./error-answer.ts";
import { readBody } from "./read-body.ts";
import { chooseContentType, chooseForge, receiveHook } from "./receive-hook.ts";
import type { HookServices } from "./services.ts";

export interface AppOptions extends HookServices {
  logger: Logger;
  /** Extra routes (GET /metrics), mounted before the hooks; `internal` guards them like /readyz. */
  extraRoutes?: (router: Router, internal: Middleware) => void;
  /** The journal's read side for the deliveries page at /ui/; absent: no page. */
  uiJournal?: UiJournal;
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
  if (options.uiJournal) mountUi(router, { getConfig: options.getConfig, journal: options.uiJournal, now: options.now });

  const receive: Middleware = (ctx) => {
    const state = ctx.state as HookState;
    return receiveHook(ctx, state.forge, state.envelope, state.contentType, state.body, options);
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
  body: Buffer;
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

/** The body's bytes, with the limit from the config (a real GitHub push can be megabytes). */
function parseBody(options: AppOptions): Middleware {
  return async (ctx, next) => {
    try {
      (ctx.state as HookState).body = await readBody(ctx.req, options.getConfig().server.bodyLimitBytes);
    } catch (error) {
      // The rest of a body that was too large or could not be read is not read: close the
      // connection after answering rather than parse what follows as a request.
      ctx.set("Connection", "close");
      throw error;
    }
    await next();
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
    // The socket is gone when the client went away before the answer.
    remote: ctx.req.socket?.remoteAddress,
  };
  const message = body.message ?? "";
  if (ctx.status >= 500) options.logger.error(entry, `delivery failed: ${message}`);
  else if (ctx.status >= 400) options.logger.info(entry, `delivery rejected: ${message}`);
  else options.logger.info(entry, message);
}
