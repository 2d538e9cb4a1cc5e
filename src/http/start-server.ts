// Listening on TCP (HTTP or HTTPS) or a unix socket, with limits against slow clients (nginx's
// 408s came from a receiver that stalled; here the receiver bounds the client instead).

import { once } from "node:events";
import { chmodSync, chownSync, lstatSync, readFileSync, unlinkSync } from "node:fs";
import { createServer as createHttpServer, type RequestListener, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { ServerConfig } from "../types.ts";

export interface Listening {
  server: Server;
  /** `http://127.0.0.1:9090`, `https://…` or `unix:/run/…sock`. */
  address: string;
  /** Stops accepting, ends idle keep-alive connections, and waits for requests in progress. */
  close(): Promise<void>;
}

interface ServerEnvironment {
  readFile?: (path: string) => Buffer;
  /** Group name → gid, for the unix socket's group; reads /etc/group by default. */
  lookupGroup?: (name: string) => number | undefined;
}

export async function startServer(handler: RequestListener, config: ServerConfig, environment: ServerEnvironment = {}): Promise<Listening> {
  const readFile = environment.readFile ?? ((path: string) => readFileSync(path));
  const limits = {
    requestTimeout: config.requestTimeoutMs,
    headersTimeout: config.headerTimeoutMs,
    // Node checks those two only this often (30 s by default): a slow client would get up to 30 s
    // more than header_timeout says.
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(config.headerTimeoutMs / 2))),
  };
  // Once closing, requests in progress and any that still come on a kept-alive connection are
  // answered, and their connection ends with them: otherwise a busy client keeps it, and close()
  // waits, for ever.
  let closing = false;
  const inProgress = new Set<ServerResponse>();
  const answer: RequestListener = (request, response) => {
    if (closing) response.setHeader("Connection", "close");
    inProgress.add(response);
    response.once("close", () => inProgress.delete(response));
    handler(request, response);
  };
  const server: Server = config.tls
    ? createHttpsServer({ ...limits, cert: readFile(config.tls.cert), key: readFile(config.tls.key) }, answer)
    : createHttpServer(limits, answer);
  server.keepAliveTimeout = 5_000;
  // Bounds how long one socket may sit without sending anything at all.
  server.timeout = config.requestTimeoutMs;

  if (config.listen.kind === "unix") {
    removeStaleSocket(config.listen.path);
    server.listen(config.listen.path);
  } else {
    server.listen(config.listen.port, config.listen.host);
  }
  await Promise.race([
    once(server, "listening"),
    once(server, "error").then(([error]) => Promise.reject(error as Error)),
  ]);

  if (config.listen.kind === "unix") {
    chmodSync(config.listen.path, config.socket.mode);
    if (config.socket.group) {
      const gid = (environment.lookupGroup ?? lookupGroup)(config.socket.group);
      if (gid === undefined) {
        server.close();
        throw Object.assign(new Error(`group ${config.socket.group} (server.socket.group) does not exist`), { code: "ENOGROUP" });
      }
      chownSync(config.listen.path, -1, gid);
    }
  }

  const bound = server.address();
  const scheme = config.tls ? "https" : "http";
  const address = typeof bound === "string"
    ? `unix:${bound}`
    : `${scheme}://${formatHost((bound as AddressInfo).address)}:${(bound as AddressInfo).port}`;

  return {
    server,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const response of inProgress) if (!response.headersSent) response.setHeader("Connection", "close");
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** A socket file left by a killed process would make listen() fail with EADDRINUSE. */
function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/** Node has no getgrnam(); /etc/group is what it would read on a CI box. */
function lookupGroup(name: string): number | undefined {
  for (const line of readFileSync("/etc/group", "utf8").split("\n")) {
    const [group, , gid] = line.split(":");
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return /^\d+$/.test(name) ? Number(name) : undefined;
}
