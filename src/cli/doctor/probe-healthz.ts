// GET /healthz of the service, for doctor: through the public URL, or straight at server.listen.

import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { ServerConfig } from "../../types.ts";
import type { HealthzAnswer } from "./check-service.ts";
import { describeNetworkError } from "./describe-network-error.ts";

/** /healthz answers a few bytes; more is some other server's page, kept short for the message. */
const MAX_BODY = 64 * 1024;

interface HealthzTarget {
  /** What is requested (with `socketPath`, only its path and scheme count). */
  url: string;
  /** What the message shows: the URL, and the socket it goes through. */
  shown: string;
  /** For `listen: unix:…`. */
  socketPath?: string;
  /** server.tls's certificate names the public host, not 127.0.0.1: locally only liveness is checked. */
  anyCertificate?: boolean;
}

/** `{public_url's origin}/healthz`: through whatever proxy the forges go through. */
export function publicHealthz(publicUrl: string): HealthzTarget {
  const url = new URL("/healthz", publicUrl).href;
  return { url, shown: url };
}

/** /healthz at server.listen: a wildcard address is asked on loopback. */
export function localHealthz(server: Pick<ServerConfig, "listen" | "tls">): HealthzTarget {
  const scheme = server.tls === undefined ? "http" : "https";
  if (server.listen.kind === "unix") {
    const url = `${scheme}://localhost/healthz`;
    return { url, shown: `${url} (unix:${server.listen.path})`, socketPath: server.listen.path, anyCertificate: true };
  }
  const host = server.listen.host === "0.0.0.0" ? "127.0.0.1" : server.listen.host === "::" ? "::1" : server.listen.host;
  const url = `${scheme}://${host.includes(":") ? `[${host}]` : host}:${server.listen.port}/healthz`;
  return { url, shown: url, anyCertificate: true };
}

/** Never rejects: a failure is the answer's `error`. */
export function probeHealthz(target: HealthzTarget, timeoutMs: number): Promise<HealthzAnswer> {
  return new Promise((resolve) => {
    const url = new URL(target.url);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const done = (answer: HealthzAnswer) => {
      clearTimeout(timer);
      resolve(answer);
      req.destroy();
    };
    const req = send(url, {
      method: "GET",
      headers: { accept: "application/json" },
      ...(target.socketPath === undefined ? {} : { socketPath: target.socketPath }),
      ...(target.anyCertificate === true ? { rejectUnauthorized: false } : {}),
    }, (res: IncomingMessage) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < MAX_BODY) body += chunk;
      });
      res.on("end", () => done({ status: res.statusCode ?? 0, body }));
      res.on("error", (error) => done({ error: describeNetworkError(error) }));
    });
    const timer = setTimeout(() => done({ error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    req.on("error", (error) => done({ error: describeNetworkError(error) }));
    req.end();
  });
}
