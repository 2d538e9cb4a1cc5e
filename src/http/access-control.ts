// Who may talk to which endpoint: the hook endpoints to `server.allow` (when set), /metrics and
// /readyz to loopback (when `internal_loopback_only`). The signature stays the real check for
// hooks; the allow-list only turns strangers away before their bodies are read.

import { BlockList, isIPv4 } from "node:net";
import type { Context, Middleware, Next } from "koa";
import type { Cidr } from "../config/cidr.ts";
import { HttpError } from "../errors.ts";
import type { Config } from "../types.ts";
import { clientAddress } from "./client-address.ts";

const LOOPBACK = toBlockList([
  { address: "127.0.0.0", prefix: 8, family: "ipv4" },
  { address: "::1", prefix: 128, family: "ipv6" },
]);

export function allowHookSenders(getConfig: () => Config): Middleware {
  let cached: { allow: readonly Cidr[]; list: BlockList } | undefined;
  return async (ctx: Context, next: Next) => {
    const { allow, trustProxy } = getConfig().server;
    if (allow) {
      if (cached?.allow !== allow) cached = { allow, list: toBlockList(allow) };
      const address = clientAddress(ctx, trustProxy);
      if (!contains(cached.list, address)) {
        throw new HttpError(403, `${address} is not in server.allow`);
      }
    }
    await next();
  };
}

export function loopbackOnly(getConfig: () => Config): Middleware {
  return async (ctx: Context, next: Next) => {
    const { internalLoopbackOnly, trustProxy } = getConfig().server;
    if (internalLoopbackOnly) {
      const address = clientAddress(ctx, trustProxy);
      if (!contains(LOOPBACK, address)) throw new HttpError(403, `${ctx.path} answers only on loopback`);
    }
    await next();
  };
}

/** A unix socket client (nginx on the same machine) is local. */
function contains(list: BlockList, address: string): boolean {
  if (address === "unix") return list === LOOPBACK;
  const plain = address.startsWith("::ffff:") && isIPv4(address.slice(7)) ? address.slice(7) : address;
  return list.check(plain, isIPv4(plain) ? "ipv4" : "ipv6");
}

function toBlockList(cidrs: readonly Cidr[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  return list;
}

/** Whether an address, as clientAddress gives it, is this machine (a unix socket client is). */
export function isLoopback(address: string): boolean {
  return contains(LOOPBACK, address);
}
