import { postJson } from "../shared/post-json.ts";
import { USER_AGENT, type PostStatus } from "../shared/status-request.ts";

/**
 * Gitea and Forgejo: `POST {api}/repos/{owner}/{repo}/statuses/{sha}` with `Authorization: token T`
 * (reference/forges.md). Each post adds a row; the latest per exact context wins.
 */
export function giteaClient(options: { fetch?: typeof fetch } = {}): PostStatus {
  const fetcher = options.fetch ?? fetch;
  return (request) => {
    const token = request.target.token.reveal();
    const path = request.repo.split("/").map(encodeURIComponent).join("/");
    return postJson({
      fetch: fetcher,
      url: `${request.target.api}/repos/${path}/statuses/${encodeURIComponent(request.sha)}`,
      headers: { authorization: `token ${token}`, "user-agent": USER_AGENT },
      body: {
        state: request.state,
        context: request.context,
        description: request.description,
        ...(request.targetUrl !== undefined ? { target_url: request.targetUrl } : {}),
      },
      signal: request.signal,
      token,
    });
  };
}
