// What a forge's API said to one status post, as every client reports it: the few headers that
// matter and the forge's own message. Never the token.

/** The rate-limit headers (GitHub; GitLab and Gitea send retry-after on 429). */
export interface RateLimitHeaders {
  retryAfter?: string;
  rateLimitReset?: string;
  rateLimitRemaining?: string;
}

export type StatusAnswer =
  | { kind: "http"; status: number; message: string; headers: RateLimitHeaders }
  /** No answer: the connection failed, the time ran out, or the service is stopping (canceled). */
  | { kind: "network"; message: string; canceled: boolean };

/** The rate-limit headers of a fetch Response (or octokit's lower-cased header record). */
export function rateLimitHeaders(get: (name: string) => string | null | undefined): RateLimitHeaders {
  const headers: RateLimitHeaders = {};
  const retryAfter = get("retry-after");
  const reset = get("x-ratelimit-reset");
  const remaining = get("x-ratelimit-remaining");
  if (retryAfter) headers.retryAfter = retryAfter;
  if (reset) headers.rateLimitReset = reset;
  if (remaining) headers.rateLimitRemaining = remaining;
  return headers;
}

/** The forge's message from an error body: GitHub and Gitea `message`, GitLab `message` or `error`, maybe nested. */
export function messageOf(body: unknown, fallback: string): string {
  if (typeof body === "string") return body.trim().slice(0, 500) || fallback;
  if (body === null || typeof body !== "object") return fallback;
  const record = body as Record<string, unknown>;
  const message = record.message ?? record.error;
  if (typeof message === "string" && message !== "") return message.slice(0, 500);
  if (message !== undefined && message !== null) return JSON.stringify(message).slice(0, 500);
  return fallback;
}

/** Whatever a forge or the network said, without the token in it, should it ever be echoed. */
export function withoutToken(text: string, token: string): string {
  return token === "" ? text : text.split(token).join("[token]");
}
