import { postJson } from "../shared/post-json.ts";
import { USER_AGENT, type PostStatus } from "../shared/status-request.ts";

/**
 * GitLab: `POST {api}/projects/{owner%2Fname}/statuses/{sha}` with `PRIVATE-TOKEN: T`; the
 * context is `name` (reference/forges.md). A 400 for a state the commit already has, and 409
 * while another update of the sha runs, are the outbox's to judge (decide-post.ts).
 */
export function gitlabClient(options: { fetch?: typeof fetch } = {}): PostStatus {
  const fetcher = options.fetch ?? fetch;
  return (request) => {
    const token = request.target.token.reveal();
    return postJson({
      fetch: fetcher,
      url: `${request.target.api}/projects/${encodeURIComponent(request.repo)}/statuses/${encodeURIComponent(request.sha)}`,
      headers: { "private-token": token, "user-agent": USER_AGENT },
      body: {
        state: request.state,
        name: request.context,
        description: request.description,
        ...(request.targetUrl !== undefined ? { target_url: request.targetUrl } : {}),
        ...(request.ref !== undefined ? { ref: request.ref } : {}),
      },
      signal: request.signal,
      token,
    });
  };
}
