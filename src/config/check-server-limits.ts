// Limits of the HTTP server that only make sense together, checked at load.

import type { DocPath } from "./locate.ts";
import type { RawConfig } from "./schema.ts";

type Report = (path: DocPath, message: string, key?: boolean) => void;

/**
 * Node refuses to start a server whose headers may take longer than the whole request (a RangeError
 * at listen): say so at load, with the keys to change. A body limit above the unverified limit is
 * legal but means such bodies always get 413: worth a warning.
 */
export function checkServerLimits(raw: RawConfig, at: Report, warn: Report): void {
  const server = raw.server;
  if (server.header_timeout > server.request_timeout) {
    at(["server", "header_timeout"], "server.header_timeout is longer than server.request_timeout: the headers are part of the request; raise request_timeout or lower header_timeout", true);
  }
  if (server.body_limit > server.unverified_limit) {
    warn(["server", "body_limit"], "server.body_limit is larger than server.unverified_limit: a body over unverified_limit is always refused (413) before its signature can be checked");
  }
}
