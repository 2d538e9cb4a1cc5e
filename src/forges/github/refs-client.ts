// A GitHub repository's branch and tag heads: `GET /repos/{owner}/{repo}/git/ref/heads/{branch}`
// (or `tags/{tag}`); an annotated tag's ref points at a tag object (`object.type` "tag"), whose
// own `object` is read with `GET /repos/{owner}/{repo}/git/tags/{sha}` until it is the commit.

import type { ApiTarget } from "../shared/api-target.ts";
import { cloneUrlFromApi, commitAt, encodeSegments, getRef, splitRef, type RefHeads } from "../shared/ref-heads.ts";

/** A tag of a tag of …: git allows it; past this many the answer is taken as broken. */
const MAX_TAG_DEPTH = 5;

interface GitObject { object?: { type?: unknown; sha?: unknown } }

export function gitHubRefHeads(target: ApiTarget, repo: string, options: { fetch?: typeof fetch; signal?: AbortSignal; timeoutMs: number }): RefHeads {
  const [owner = "", name = ""] = repo.split("/");
  const root = `${target.api.replace(/\/+$/, "")}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/git`;
  const get = (path: string) => {
    const token = target.token.reveal();
    return getRef({
      forge: "GitHub", fetch: options.fetch ?? fetch, url: `${root}/${path}`, token, timeoutMs: options.timeoutMs,
      headers: { authorization: `token ${token}`, accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  };
  return {
    kinds: ["heads", "tags"],
    cloneUrl: cloneUrlFromApi(target.api, repo),
    permission: 'a token that may read the repository: fine-grained "Contents: read" on it, or classic scope `repo` (`public_repo` is enough for a public one)',
    async commitOf(ref) {
      const [kind, refName] = splitRef(ref);
      let answer = await get(`ref/${kind}/${encodeSegments(refName)}`) as GitObject | undefined;
      for (let depth = 0; answer !== undefined; depth += 1) {
        if (answer.object?.type !== "tag") return commitAt(answer, ["object", "sha"], "GitHub");
        if (depth === MAX_TAG_DEPTH) throw new Error(`GitHub's tag ${refName} points through more than ${MAX_TAG_DEPTH} tag objects`);
        const sha = commitAt(answer, ["object", "sha"], "GitHub");
        answer = await get(`tags/${sha}`) as GitObject | undefined;
      }
      return undefined;
    },
  };
}
