import type { Context } from "koa";

/**
 * The client's address for the journal and logs. Behind nginx (`trust_proxy: true`) it is the
 * right-most X-Forwarded-For entry: the one nginx itself added (`$proxy_add_x_forwarded_for`
 * appends), since anything left of it was written by the client and can be forged.
 */
export function clientAddress(ctx: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = ctx.get("x-forwarded-for");
    const last = forwarded.split(",").map((part) => part.trim()).filter(Boolean).at(-1);
    if (last) return last;
  }
  return ctx.req.socket.remoteAddress ?? "unix";
}
