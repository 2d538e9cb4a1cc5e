// Reads a hook's body as the exact bytes the forge sent, after undoing a Content-Encoding. The
// bytes are kept as they are: GitHub and GitLab sign them, and turning them into a string and back
// would change a body that is not valid UTF-8. raw-body does the reading (limit, a length that does
// not match Content-Length, an aborted request); the limit applies to what comes out of the
// decompressor, so a small gzip bomb cannot grow past it.
//
// This replaced koa-body, which parsed JSON and forms for every route, kept the body twice (a
// string and our Buffer copy of it), and cost ~26 MB of memory for parsers a hook never uses.

import type { IncomingMessage } from "node:http";
import { finished, PassThrough, type Transform } from "node:stream";
import { createBrotliDecompress, createUnzip } from "node:zlib";
import getRawBody from "raw-body";
import { HttpError } from "../errors.ts";

/**
 * Told the bytes read so far, as they come, when the length is not known up front (a chunked or a
 * compressed body); an error it returns stops the read with that error, the connection intact for
 * the answer.
 */
type CountBytes = (total: number) => Error | undefined;

/** The body's bytes, decompressed, at most `limit` of them; HttpError (4xx) for what cannot be read. */
export async function readBody(req: IncomingMessage, limit: number, count?: CountBytes): Promise<Buffer> {
  const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  const decompress = decompressorFor(encoding);
  const length = req.headers["content-length"] ?? null;
  if (!decompress && (length !== null || !count)) {
    // Node's parser never hands over more than Content-Length bytes, so what was reserved for them
    // up front bounds what this read holds: no stream between, on the path every forge takes.
    return await getRawBody(req, { limit, length }).catch((error: unknown) => asClientError(error));
  }
  const stream = decompress ? decompress() : new PassThrough();
  if (count) countInto(stream, count);
  // An aborted request ends the stream too, so the read never hangs. (Not pipeline(): it would
  // destroy the request, and with it the socket the 400 for a bad gzip body has to go out on.)
  finished(req, (error) => {
    if (error) stream.destroy(Object.assign(new Error("request aborted"), { status: 400, type: "request.aborted" }));
  });
  req.pipe(stream);
  return await getRawBody(stream, { limit }).catch((error: unknown) => {
    req.unpipe(stream);
    return asClientError(error, decompress ? encoding : undefined);
  });
}

/** Counts what comes out of `stream` (what raw-body keeps), and stops it when `count` refuses. */
function countInto(stream: Transform, count: CountBytes): void {
  let total = 0;
  stream.on("data", (chunk: Buffer) => {
    total += chunk.length;
    const refused = count(total);
    if (refused) stream.destroy(refused);
  });
}

function decompressorFor(encoding: string): (() => Transform) | undefined {
  switch (encoding) {
    case "identity":
    case "":
      return undefined;
    case "gzip":
    case "x-gzip":
    case "deflate":
      // createUnzip reads gzip and zlib-wrapped deflate alike, as the forges and curl send them.
      return () => createUnzip();
    case "br":
      return () => createBrotliDecompress();
    default:
      throw new HttpError(415, `Content-Encoding ${encoding} is not accepted; send the body as it is, or as gzip, deflate or br`);
  }
}

/** raw-body's errors carry a status and a type; zlib's carry neither and are the client's fault. */
function asClientError(error: unknown, encoding?: string): never {
  if (error instanceof HttpError) throw error;
  const { status, type } = (error ?? {}) as { status?: unknown; type?: unknown };
  if (status === 413) throw error;
  if (type === "request.aborted") throw error;
  if (type === "request.size.invalid") {
    throw new HttpError(400, "the body is shorter or longer than its Content-Length says");
  }
  if (encoding !== undefined) {
    throw new HttpError(400, `the body cannot be read as Content-Encoding ${encoding}: ${(error as Error).message}`);
  }
  if (typeof status === "number" && status >= 400 && status < 500) throw error;
  throw new HttpError(400, `the body cannot be read: ${(error as Error).message}`);
}
