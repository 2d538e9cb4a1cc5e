// fetch's and node:http's errors say "fetch failed"; the reason a person can act on is in the cause.

/** `connection refused (ECONNREFUSED)`, `no answer within 5 s`, … for a message. */
export function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused (ECONNREFUSED): nothing listens there";
    case "ENOENT":
      return "no such socket (ENOENT): nothing listens there";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `the host name does not resolve (${code})`;
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return `the connection was closed before an answer (${code})`;
    case "EACCES":
      return "permission denied (EACCES)";
    default:
      break;
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === "string" ? `${message} (${code})` : message;
}
