// Requests fetch cannot make: over a unix socket, over TLS with the test's own CA, and with
// headers the client chooses freely (X-Forwarded-For).

import { request as httpRequest, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";

export interface RawAnswer {
  status: number;
  body: Record<string, unknown> & { message?: string };
  text: string;
}

export function rawRequest(options: RequestOptions & { body?: string | Buffer; tls?: { ca: Buffer } }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const { body, tls, ...rest } = options;
    const send = tls ? httpsRequest : httpRequest;
    const req = send({ ...rest, ...(tls ? { ca: tls.ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: RawAnswer["body"] = {};
        try {
          parsed = JSON.parse(text) as RawAnswer["body"];
        } catch {
          // not JSON (metrics): the text is there
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}
