// A GitLab project's branch and tag heads: `GET /projects/{id}/repository/branches/{branch}` and
// `.../repository/tags/{tag}`, both with the commit as `commit.id` (a tag's `target` is its tag
// object when annotated). The project and the ref name are URL-encoded whole, slashes too.

import type { ApiTarget } from "../shared/api-target.ts";
import { cloneUrlFromApi, commitAt, getRef, splitRef, type RefHeads } from "../shared/ref-heads.ts";

export function gitLabRefHeads(target: ApiTarget, repo: string, options: { fetch?: typeof fetch; signal?: AbortSignal; timeoutMs: number }): RefHeads {
  const root = `${target.api.replace(/\/+$/, "")}/projects/${encodeURIComponent(repo)}/repository`;
  return {
    kinds: ["heads", "tags"],
    cloneUrl: cloneUrlFromApi(target.api, repo),
    permission: "a token with the `read_api` scope of a user with the Reporter role (or higher) on the project",
    async commitOf(ref) {
      const [kind, refName] = splitRef(ref);
      const token = target.token.reveal();
      const answer = await getRef({
        forge: "GitLab", fetch: options.fetch ?? fetch, token, timeoutMs: options.timeoutMs,
        url: `${root}/${kind === "heads" ? "branches" : "tags"}/${encodeURIComponent(refName)}`,
        headers: { "private-token": token },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      return answer === undefined ? undefined : commitAt(answer, ["commit", "id"], "GitLab");
    },
  };
}
