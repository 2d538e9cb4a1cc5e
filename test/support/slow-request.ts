// A request whose body the test sends when it likes (or never), to hold a body open on the server:
// with Content-Length, or chunked when none is given. The answer may come before the body is all
// sent (a 503, a 413); the request's own errors after that (the server closed) are expected.

import { Agent, request, type IncomingHttpHeaders } from "node:http";

export interface SlowAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> & { message?: string };
}

export interface SlowRequest {
  /** Sends part of the body; resolves once it is handed to the socket (false: the request is over). */
  write(chunk: Buffer): Promise<boolean>;
  end(chunk?: Buffer): void;
  /** Gone before the answer, as a sender that gives up. */
  abort(): void;
  /** The answer, or `{ status: 0 }` when the connection ended without one. */
  answer: Promise<SlowAnswer>;
  /** Whether the answer came. */
  readonly answered: boolean;
}

export function slowRequest(url: string, path: string, headers: Record<string, string>): SlowRequest {
  const target = new URL(url);
  // Keep-alive, as a forge's HTTP client: without an agent Node's client asks for Connection: close,
  // and a server that closes while the body still comes may reset the connection over its answer.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const req = request({ host: target.hostname, port: target.port, method: "POST", path, headers, agent });
  let answered = false;
  const answer = new Promise<SlowAnswer>((resolve) => {
    req.on("response", (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      const done = () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: SlowAnswer["body"] = {};
        try {
          body = JSON.parse(text) as SlowAnswer["body"];
        } catch {
          body = { message: `not JSON: ${text.slice(0, 200)}` };
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      };
      // `close` too: a connection cut mid-answer ends neither with `end` nor always with `error`.
      response.once("end", done);
      response.once("error", done);
      response.once("close", done);
    });
    req.on("close", () => {
      if (!answered) resolve({ status: 0, headers: {}, body: {} });
    });
  });
  // A server that answered early, or stopped reading, may never drain the socket: the answer or the
  // close ends the wait for a write then.
  const over = new Promise<boolean>((resolve) => {
    req.once("close", () => resolve(false));
    req.once("response", () => resolve(false));
  });
  // EPIPE or ECONNRESET once the server answered early and closed: the answer is what counts.
  req.on("error", () => {});
  void answer.then(() => agent.destroy());
  req.flushHeaders();
  return {
    write: (chunk) => Promise.race([over, new Promise<boolean>((resolve) => {
      if (req.destroyed || req.writableEnded) return resolve(false);
      req.write(chunk, (error) => resolve(!error));
    })]),
    end: (chunk) => {
      if (!req.destroyed) req.end(chunk);
    },
    abort: () => req.destroy(),
    answer,
    get answered() {
      return answered;
    },
  };
}
