import { messageOf, rateLimitHeaders, withoutToken, type StatusAnswer } from "./api-answer.ts";

/** A POST of a JSON body with plain fetch, for the forges whose status API is one call (Gitea, GitLab). */
export async function postJson(options: {
  fetch: typeof fetch;
  url: string;
  headers: Record<string, string>;
  body: Record<string, string>;
  signal: AbortSignal;
  /** Cut out of any message, should the API or the network echo it. */
  token: string;
}): Promise<StatusAnswer> {
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(options.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...options.headers },
      body: JSON.stringify(options.body),
      signal: options.signal,
      // A redirect would carry the token to wherever it points.
      redirect: "manual",
    });
    text = await response.text();
  } catch (error) {
    return { kind: "network", message: withoutToken(networkMessage(error), options.token), canceled: false };
  }
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML page): its text is the message.
  }
  const message = response.ok ? "" : messageOf(body, `${response.status} ${response.statusText}`.trim());
  return {
    kind: "http",
    status: response.status,
    message: withoutToken(message, options.token),
    headers: rateLimitHeaders((name) => response.headers.get(name)),
  };
}

/** fetch's TypeError says "fetch failed"; the cause says why (ECONNREFUSED, a TLS error, …). */
export function networkMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error && cause.message) return `${error.message}: ${cause.message}`;
  return error.message;
}
