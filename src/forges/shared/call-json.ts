import { messageOf, withoutToken } from "./api-answer.ts";
import { ForgeApiError } from "./hook-log.ts";
import { networkMessage } from "./post-json.ts";
import { USER_AGENT } from "./status-request.ts";

/** One request of a JSON API with plain fetch (Gitea, GitLab): the answer, or a ForgeApiError for a refusal. */
export async function callJson(options: {
  fetch: typeof fetch;
  method: string;
  url: string;
  /** The forge's auth header, and any other. */
  headers: Record<string, string>;
  body?: unknown;
  signal: AbortSignal;
  /** Cut out of any message, should the API or the network echo it. */
  token: string;
}): Promise<{ status: number; body: unknown; headers: Headers }> {
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(options.url, {
      method: options.method,
      headers: {
        accept: "application/json",
        "user-agent": USER_AGENT,
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: options.signal,
      // A redirect would carry the token to wherever it points.
      redirect: "manual",
    });
    text = await response.text();
  } catch (error) {
    throw new Error(withoutToken(networkMessage(error), options.token));
  }
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's page): its text is the message.
  }
  if (!response.ok) throw new ForgeApiError(response.status, withoutToken(messageOf(body, response.statusText || "failed"), options.token));
  return { status: response.status, body, headers: response.headers };
}

/** The caller's stop and a bound of its own, whichever comes first. */
export function boundedSignal(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
}
