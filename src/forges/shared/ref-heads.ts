// Where a repository's branch or tag points, asked of the forge's API: what a build a person picked
// on the page is queued at when no git remote of the repository is known (src/catch-up/resolve-head.ts).

import { formatDuration } from "../../config/units.ts";
import { callJson } from "./call-json.ts";
import { ForgeApiError } from "./hook-log.ts";

/** A ref lookup is one or two requests a person waits for on the page. */
export const REF_TIMEOUT_MS = 20_000;

/** One repository's refs on one forge. */
export interface RefHeads {
  /** The ref kinds this forge's API can look up one of (Gogs: branches only). */
  readonly kinds: readonly ("heads" | "tags")[];
  /** The repository's HTTPS clone URL, as a push of it would give it to jobs. */
  readonly cloneUrl: string;
  /** What a token needs to read them, named when the forge refuses one. */
  readonly permission: string;
  /**
   * The commit `ref` (`refs/heads/…` or `refs/tags/…`) points at, an annotated tag peeled; undefined
   * when the forge answers 404. Rejects with a ForgeApiError for any other refusal, with an Error
   * saying what happened when the forge does not answer (in time).
   */
  commitOf(ref: string): Promise<string | undefined>;
}

/**
 * The web root of a forge from its API root, as each forge lays them out: api.github.com for
 * github.com, HOST/api/v3 (GitHub Enterprise Server), HOST/api/v1 (Gitea family), HOST/api/v4
 * (GitLab); a forge under a sub-path keeps it. Clone URLs are `{web root}/{owner}/{name}.git`.
 */
export function cloneUrlFromApi(api: string, repo: string): string {
  const url = new URL(api);
  if (url.hostname === "api.github.com") url.hostname = "github.com";
  const root = url.pathname.replace(/\/+$/, "").replace(/\/api\/v[134]$/, "");
  return `${url.protocol}//${url.host}${root}/${repo}.git`;
}

/** A ref name as path segments: each encoded, the slashes of `feature/x` kept (GitHub's and Gitea's routes take them). */
export function encodeSegments(name: string): string {
  return name.split("/").map(encodeURIComponent).join("/");
}

/** `refs/heads/feature/x` → ["heads", "feature/x"]. */
export function splitRef(ref: string): ["heads" | "tags", string] {
  const match = /^refs\/(heads|tags)\/(.+)$/.exec(ref);
  if (match === null) throw new Error(`not a branch or tag ref: ${ref}`);
  return [match[1] as "heads" | "tags", match[2]!];
}

/** A commit id as forges write it: SHA-1, or SHA-256 in a repository that uses it. */
const COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** One GET of a ref lookup: the JSON answer, or undefined for a 404; a timeout rejects saying so. */
export async function getRef(options: {
  forge: string;
  fetch: typeof fetch;
  url: string;
  headers: Record<string, string>;
  token: string;
  signal?: AbortSignal;
  timeoutMs: number;
}): Promise<unknown> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    const answer = await callJson({
      fetch: options.fetch, method: "GET", url: options.url, headers: options.headers, token: options.token,
      signal: options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]),
    });
    return answer.body;
  } catch (error) {
    if (error instanceof ForgeApiError && error.status === 404) return undefined;
    if (timeout.aborted && options.signal?.aborted !== true) {
      throw new Error(`${options.forge}'s API did not answer within ${formatDuration(options.timeoutMs)}`, { cause: error });
    }
    throw error;
  }
}

/** The commit id at `path` of an answer (`commit.id`), or an Error naming what the forge sent instead. */
export function commitAt(body: unknown, path: readonly string[], forge: string): string {
  let value: unknown = body;
  for (const key of path) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof value !== "string" || !COMMIT.test(value)) throw new Error(`${forge}'s API answered without a commit id at ${path.join(".")}`);
  return value;
}
