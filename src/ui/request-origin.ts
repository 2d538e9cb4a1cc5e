import type { Context } from "koa";

/** The origin the browser used; behind a trusted proxy, with the scheme the proxy was reached by. */
export function requestOrigin(ctx: Context, trustProxy: boolean): string {
  const forwarded = ctx.get("x-forwarded-proto").split(",")[0]?.trim();
  const scheme = trustProxy && (forwarded === "http" || forwarded === "https") ? forwarded : ctx.protocol;
  return `${scheme}://${ctx.host}`;
}
