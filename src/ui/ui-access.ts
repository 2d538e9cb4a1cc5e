// Who may read the deliveries page: it shows payload facts, routing and laminarc's output, so by
// default only a browser on this machine; with `ui.auth`, anyone with the user and password
// (HTTP basic), local or not. A request that came through a proxy is not local unless
// `trust_proxy` lets the proxy say who the client was: nginx on the same box would otherwise
// make every visitor look local. Wrong credentials are counted per client address
// (failed-logins.ts): past ten in fifteen minutes the address waits.

import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, Middleware, Next } from "koa";
import { HttpError } from "../errors.ts";
import { isLoopback } from "../http/access-control.ts";
import { clientAddress } from "../http/client-address.ts";
import type { Config } from "../types.ts";
import { FailedLogins } from "./failed-logins.ts";

const PROXY_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip"] as const;

/** `now`: ms since the epoch, for counting wrong passwords. */
export function guardUi(getConfig: () => Config, now: () => number): Middleware {
  const failedLogins = new FailedLogins();
  return async (ctx: Context, next: Next) => {
    const { ui, server } = getConfig();
    if (!ui.enabled) throw new HttpError(404, "the deliveries page is turned off (ui.enabled: false in the config)");
    if (ui.auth) {
      const address = clientAddress(ctx, server.trustProxy);
      const waitMs = failedLogins.waitFor(address, now());
      if (waitMs > 0) {
        const seconds = Math.ceil(waitMs / 1000);
        ctx.set("Retry-After", String(seconds));
        throw new HttpError(429, `too many wrong users or passwords for the deliveries page from ${address}; try again in ${seconds} s`);
      }
      const authorization = ctx.get("authorization");
      if (!authorized(authorization, ui.auth)) {
        // A browser asks first without credentials: that is not a guess.
        if (authorization !== "") failedLogins.failed(address, now());
        ctx.set("WWW-Authenticate", `Basic realm="laminar-hooks", charset="UTF-8"`);
        throw new HttpError(401, "the deliveries page needs the user and password of ui.auth");
      }
      failedLogins.succeeded(address);
    } else if (!isLocal(ctx, server.trustProxy)) {
      throw new HttpError(403,
        "the deliveries page answers only browsers on this machine; to open it to others, set ui.auth (a user and a password) in the config");
    }
    await next();
  };
}

function isLocal(ctx: Context, trustProxy: boolean): boolean {
  const proxied = PROXY_HEADERS.some((name) => ctx.get(name) !== "");
  if (proxied && !trustProxy) return false;
  return isLoopback(clientAddress(ctx, trustProxy));
}

/** HTTP basic (RFC 7617): user and password both checked, each in constant time, always both. */
function authorized(header: string, auth: NonNullable<Config["ui"]["auth"]>): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return false;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  const userOk = sameText(decoded.slice(0, colon), auth.user);
  const passwordOk = auth.password.equals(decoded.slice(colon + 1));
  return userOk && passwordOk;
}

/** Compares digests, so that neither the content nor the length of the user name leaks through timing. */
function sameText(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
