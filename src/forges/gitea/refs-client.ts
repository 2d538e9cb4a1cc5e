// A Gitea, Forgejo or Gogs repository's branch and tag heads (Gitea's swagger, v1_json.tmpl):
// `GET /repos/{owner}/{repo}/branches/{branch}` answers a Branch whose `commit` (PayloadCommit) has
// the `id`; `GET /repos/{owner}/{repo}/tags/{tag}` a Tag whose `commit` (CommitMeta) has the `sha`,
// the commit also for an annotated tag (its own object is the Tag's `id`). Gogs has the branch
// route only.

import type { ApiTarget } from "../shared/api-target.ts";
import { cloneUrlFromApi, commitAt, encodeSegments, getRef, splitRef, type RefHeads } from "../shared/ref-heads.ts";
import type { GiteaHookType } from "./webhooks.ts";

const LABEL: Readonly<Record<GiteaHookType, string>> = { gitea: "Gitea", forgejo: "Forgejo", gogs: "Gogs" };

export function giteaRefHeads(type: GiteaHookType, target: ApiTarget, repo: string, options: { fetch?: typeof fetch; signal?: AbortSignal; timeoutMs: number }): RefHeads {
  const forge = LABEL[type];
  const [owner = "", name = ""] = repo.split("/");
  const root = `${target.api.replace(/\/+$/, "")}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
  return {
    kinds: type === "gogs" ? ["heads"] : ["heads", "tags"],
    cloneUrl: cloneUrlFromApi(target.api, repo),
    permission: type === "gogs" ? "a token of a user who may read the repository" : "a token with the `read:repository` scope of a user who may read the repository",
    async commitOf(ref) {
      const [kind, refName] = splitRef(ref);
      const token = target.token.reveal();
      const answer = await getRef({
        forge, fetch: options.fetch ?? fetch, token, timeoutMs: options.timeoutMs,
        url: `${root}/${kind === "heads" ? "branches" : "tags"}/${encodeSegments(refName)}`,
        headers: { authorization: `token ${token}` },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      if (answer === undefined) return undefined;
      return commitAt(answer, kind === "heads" ? ["commit", "id"] : ["commit", "sha"], forge);
    },
  };
}
