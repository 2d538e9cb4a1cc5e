// The Koa app: a small core of endpoints. Hooks at `{path}` and `{path}/{forge}`, health at
// /healthz and /readyz. Metrics and the deliveries page are mounted by the caller (src/start-service.ts)
// through `extraRoutes`, so that http never imports the stages that build on it.

import Koa, { type Middleware, type ParameterizedContext } from "koa";
import { Router } from "@koa/router";
import { formatSize } from "../config/units.ts";
import type { Logger } from "../observe/logger.ts";
import { allowHookSenders, loopbackOnly } from "./access-control.ts";
import { errorAnswer } from "./error-answer.ts";
import { hookEndpoint } from "./hook-endpoint.ts";
import type { HookServices, HookState } from "./services.ts";
import { UnverifiedBudget } from "./unverified-budget.ts";

interface AppOptions extends HookServices {
  logger: Logger;
  /** Extra routes (GET /metrics, the page at /ui/), mounted before the hooks; `internal` guards them like /readyz. */
  extraRoutes?: (router: Router, internal: Middleware) => void;
  /** A monotonic clock in ms for answer times; performance.now by default. */
  monotonic?: () => number;
}

export function createApp(options: AppOptions): Koa<HookState> {
  const app = new Koa<HookState>();
  // Errors are answered and logged by errorAnswer; koa's default handler would print them again.
  app.silent = true;
  const router = new Router<HookState>();
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

  const budget = new UnverifiedBudget(() => options.getConfig().server.unverifiedLimitBytes, (held) => options.observe.unverifiedHeld(held));
  const senders = allowHookSenders(options.getConfig);
  const hook = hookEndpoint(options, budget);
  router.post(hookPath || "/", senders, hook);
  router.post(`${hookPath}/:forge`, senders, hook);

  app.use(timeAnswers(options));
  app.use(errorAnswer(options.logger, () => formatSize(options.getConfig().server.bodyLimitBytes)));
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}

function timeAnswers(options: AppOptions): Middleware<HookState> {
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
function logDelivery(ctx: ParameterizedContext<HookState>, ms: number, options: AppOptions): void {
  const state = ctx.state;
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
