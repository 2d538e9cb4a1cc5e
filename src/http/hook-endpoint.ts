// The hook endpoint, checks in a fixed order: forge → content type → headers → length → a share of
// the unverified-body budget → body → signature → the receive pipeline. The share is given back as
// soon as the signature holds, and on every other way out (refused, aborted, timed out: the read
// rejects, and `finally` releases).

import type { Middleware, ParameterizedContext } from "koa";
import { formatSize } from "../config/units.ts";
import { HttpError } from "../errors.ts";
import { forges, detectForge } from "../forges/index.ts";
import type { Forge } from "../forges/types.ts";
import { FORGE_NAMES, type Config } from "../types.ts";
import { readBody } from "./read-body.ts";
import { receiveHook, type Edge } from "./receive-hook.ts";
import { ServiceBusyError } from "./service-busy.ts";
import type { HookServices, HookState } from "./services.ts";
import type { Hold, UnverifiedBudget } from "./unverified-budget.ts";

/**
 * Bodies not yet verified drain within request_timeout at the latest; a few seconds is a fair wait
 * for a sender that honours the header (the forges themselves do not retry on their own).
 */
const RETRY_AFTER_SECONDS = 5;

type HookContext = ParameterizedContext<HookState>;

export function hookEndpoint(services: HookServices, budget: UnverifiedBudget): Middleware<HookState> {
  return async (ctx) => {
    const config = services.getConfig();
    const edge = checkEdge(ctx, config);
    const declared = Number(ctx.get("content-length") || 0);
    const hold = budget.hold(declared);
    if (!hold) throw refuse(services, budget, edge.forge);
    try {
      const body = await readHookBody(ctx, config, services, budget, hold, edge.forge);
      await receiveHook(ctx, edge, body, config, services, hold.release);
    } finally {
      hold.release();
    }
  };
}

/** Finds the forge from the URL (`/hooks/gitea`) or, failing that, from the headers. */
function chooseForge(ctx: HookContext): Forge {
  const named = (ctx as HookContext & { params?: Record<string, string> }).params?.forge;
  if (named !== undefined) {
    // Own keys only: `/hooks/__proto__` or `/hooks/toString` must not find Object.prototype's.
    const forge = Object.hasOwn(forges, named) ? (forges as Record<string, Forge | undefined>)[named] : undefined;
    if (!forge) throw new HttpError(404, `unknown forge "${named}"; use one of ${FORGE_NAMES.join(", ")}`);
    return forge;
  }
  const detected = detectForge(ctx.headers);
  if (!detected) {
    throw new HttpError(400, "cannot tell which forge sent this: no X-GitHub-Event, X-Gitea-Event, X-Forgejo-Event, X-Gogs-Event or X-Gitlab-Event header");
  }
  return detected;
}

/** JSON or a form with a `payload` field: what the forges send. */
function chooseContentType(ctx: HookContext): "json" | "form" {
  const type = ctx.is("application/json", "application/x-www-form-urlencoded");
  if (type === "application/json") return "json";
  if (type === "application/x-www-form-urlencoded") return "form";
  const given = ctx.get("content-type") || "none";
  throw new HttpError(415, `content type ${given} is not accepted; send application/json or application/x-www-form-urlencoded`);
}

/** Everything that can be refused before a byte of the body is read. */
function checkEdge(ctx: HookContext, config: Config): Edge {
  const forge = chooseForge(ctx);
  ctx.state.forge = forge;
  const contentType = chooseContentType(ctx);
  const envelope = forge.readEnvelope(ctx.headers);
  ctx.state.envelope = envelope;
  const declared = Number(ctx.get("content-length") || 0);
  if (declared > config.server.bodyLimitBytes) {
    // Refuse before reading a byte; the client may still be sending, so close after answering.
    ctx.set("Connection", "close");
    throw Object.assign(new Error("body too large"), { status: 413, expose: true });
  }
  if (declared > config.server.unverifiedLimitBytes) throw tooLargeToVerify(ctx, config);
  return { forge, envelope, contentType };
}

/**
 * The body's bytes, with the limit from the config (a real GitHub push can be megabytes). A body
 * whose length was not given holds a growing share as it comes.
 */
async function readHookBody(
  ctx: HookContext, config: Config, services: HookServices, budget: UnverifiedBudget, hold: Hold, forge: Forge,
): Promise<Buffer> {
  try {
    return await readBody(ctx.req, config.server.bodyLimitBytes, (total) => {
      if (total > config.server.unverifiedLimitBytes) return tooLargeToVerify(ctx, config);
      return hold.growTo(total) ? undefined : refuse(services, budget, forge);
    });
  } catch (error) {
    // The rest of a body that was too large or could not be read is not read: close the
    // connection after answering rather than parse what follows as a request. A sender refused
    // for now is the exception: Node reads the rest of its body into nothing, so that its 503 is
    // not lost to the reset a close with unread bytes sends.
    if (!(error instanceof ServiceBusyError)) ctx.set("Connection", "close");
    throw error;
  }
}

/** 503: unverified bodies hold all they may; the sender is told to come back, and it is counted. */
function refuse(services: HookServices, budget: UnverifiedBudget, forge: Forge): ServiceBusyError {
  services.observe.unverifiedRefused(forge.name);
  return new ServiceBusyError(
    `busy: bodies not verified yet hold ${formatSize(budget.held)} of server.unverified_limit (${formatSize(budget.limit)}); send the delivery again in a few seconds`,
    RETRY_AFTER_SECONDS,
  );
}

/** A body that alone is more than the budget would never fit: waiting cannot help, so no 503. */
function tooLargeToVerify(ctx: HookContext, config: Config): HttpError {
  ctx.set("Connection", "close");
  return new HttpError(413, `the body is larger than server.unverified_limit (${formatSize(config.server.unverifiedLimitBytes)}), the most that bodies not verified yet may hold`);
}
