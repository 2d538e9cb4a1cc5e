import { createHash } from "node:crypto";
import { Octokit } from "@octokit/core";
import { throttling } from "@octokit/plugin-throttling";
import type { ApiLog } from "../shared/forge-api.ts";
import { networkMessage } from "../shared/post-json.ts";
import { messageOf, rateLimitHeaders, withoutToken, type StatusAnswer } from "../shared/api-answer.ts";
import { USER_AGENT, type PostStatus } from "../shared/status-request.ts";

/** What the GitHub client logs through (octokit's own warnings); a pino logger fits. */
type OctokitLog = ApiLog;

const ThrottledOctokit = Octokit.plugin(throttling);
type Client = InstanceType<typeof ThrottledOctokit>;

/**
 * GitHub (and GitHub Enterprise Server): `POST {api}/repos/{owner}/{repo}/statuses/{sha}` through
 * @octokit/core, one client per API root and token.
 *
 * How it shares the work with the outbox: plugin-throttling spaces content-creating requests one
 * second apart per token, GitHub's advice against its secondary rate limit, but its rate-limit
 * handlers answer "do not retry", so a limit comes back here as an answer and the outbox waits out
 * `retry-after` / `x-ratelimit-reset` durably, in the journal, instead of in memory.
 * plugin-retry is not used: its in-memory retries of 5xx would hold the post's slot, repeat what
 * the outbox does anyway, and hide from the journal the answers that `show` should list.
 */
export function githubClient(options: { fetch?: typeof fetch; log?: OctokitLog } = {}): PostStatus {
  const clients = new Map<string, Client>();
  const log = options.log ?? quietLog;
  const clientFor = (api: string, token: string): Client => {
    // Throttling groups are keyed by id: one per token, named without the token itself.
    const id = `${api} ${createHash("sha256").update(token).digest("hex").slice(0, 16)}`;
    let client = clients.get(id);
    if (client === undefined) {
      client = new ThrottledOctokit({
        auth: token,
        baseUrl: api,
        userAgent: USER_AGENT,
        log,
        request: options.fetch === undefined ? {} : { fetch: options.fetch },
        throttle: {
          id,
          onRateLimit: () => false,
          onSecondaryRateLimit: () => false,
        },
      });
      clients.set(id, client);
    }
    return client;
  };

  return async (request) => {
    const token = request.target.token.reveal();
    const slash = request.repo.indexOf("/");
    const owner = request.repo.slice(0, slash);
    const repo = request.repo.slice(slash + 1);
    try {
      const response = await clientFor(request.target.api, token).request("POST /repos/{owner}/{repo}/statuses/{sha}", {
        owner,
        repo,
        sha: request.sha,
        state: request.state as "pending" | "success" | "failure" | "error",
        context: request.context,
        description: request.description,
        ...(request.targetUrl !== undefined ? { target_url: request.targetUrl } : {}),
        headers: { "x-github-api-version": GITHUB_API_VERSION },
        request: { signal: request.signal },
      });
      return { kind: "http", status: response.status, message: "", headers: {} };
    } catch (error) {
      return answerOf(error, token);
    }
  };
}

/** The REST API version the request is written against (GitHub's docs, "API versions"). */
export const GITHUB_API_VERSION = "2022-11-28";

/** Octokit throws a RequestError with the response for an HTTP error, without one for a network failure. */
function answerOf(error: unknown, token: string): StatusAnswer {
  const response = (error as { response?: { status: number; headers: Record<string, string | undefined>; data: unknown } }).response;
  if (response === undefined) return { kind: "network", message: withoutToken(networkMessage(error), token), canceled: false };
  return {
    kind: "http",
    status: response.status,
    message: withoutToken(messageOf(response.data, `HTTP ${response.status}`), token),
    headers: rateLimitHeaders((name) => response.headers[name]),
  };
}

const quietLog: OctokitLog = { debug() {}, info() {}, warn() {}, error() {} };
