// Where a branch or tag points, asked of the forge's API with the repository's token (its own, else
// the forge's): a manual build's last way to its head, when the repository has no `poll:` remote
// and no delivery brought its clone URL yet. Every failure is an answer the page shows: what to
// configure, the permission the token lacks, or that the forge did not answer (409, 404, 503).

import { ForgeApiError, refusalWhy, type ForgeApi } from "../forges/api-clients.ts";
import { FORGE_LABELS } from "../forges/shared/forge-labels.ts";
import { findRepository } from "../routing/find-repository.ts";
import type { Config, ForgeName } from "../types.ts";
import { pickRef, type ResolvedHead } from "./pick-ref.ts";

interface HeadFromApiInput {
  forge: ForgeName;
  repo: string;
  ref: string;
}

export async function headFromApi(input: HeadFromApiInput, api: ForgeApi, config: Config, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<ResolvedHead> {
  const forge = FORGE_LABELS[input.forge];
  const cannot = `cannot tell where ${input.ref} of ${input.repo} points: it has no poll: remote, no delivery brought its clone URL yet, and`;
  const remedy = `set poll: for the repository`;
  const forgeConfig = config.forges[input.forge];
  const root = forgeConfig?.api;
  if (root === undefined) return { ok: false, status: 409, reason: `${cannot} forges.${input.forge} has no api: to ask ${forge}; ${remedy}, or forges.${input.forge}.api and a token` };
  const repository = findRepository(config, input.forge, input.repo);
  const token = repository?.token ?? forgeConfig?.token;
  const whose = repository?.token === undefined ? `forges.${input.forge}.token` : `the token: of ${input.repo}`;
  if (token === undefined) {
    return { ok: false, status: 409, reason: `${cannot} there is no API token to ask ${forge}: set token: for the repository or forges.${input.forge}.token (a token that may read the repository), or ${remedy}` };
  }
  if (token.unreadable !== undefined) {
    return { ok: false, status: 409, reason: `${cannot} ${whose} cannot be read (${token.unreadable}): make it readable to the service, or ${remedy}` };
  }
  const heads = api.refHeads({ api: root, token }, input.repo, options);
  const candidates = input.ref.startsWith("refs/") ? [input.ref] : [`refs/heads/${input.ref}`, `refs/tags/${input.ref}`];
  const askable = candidates.filter((ref) => heads.kinds.some((kind) => ref.startsWith(`refs/${kind}/`)));
  if (askable.length === 0) return { ok: false, status: 409, reason: `${forge}'s API cannot look up ${input.ref}: ${remedy} to build a tag of ${input.repo}` };
  let commits: (string | undefined)[];
  try {
    commits = await Promise.all(askable.map((ref) => heads.commitOf(ref)));
  } catch (error) {
    return refused(error, { forge, repo: input.repo, token: whose, permission: heads.permission, root });
  }
  const found = new Map<string, string>();
  askable.forEach((ref, index) => {
    const sha = commits[index];
    if (sha !== undefined) found.set(ref, sha);
  });
  const lacks = askable.length < candidates.length ? ` (${forge}'s API was asked for branches only)` : "";
  // A forge answers 404 alike for a ref that is not there and a repository the token cannot see.
  const where = `${forge} has no branch or tag ${input.ref} of ${input.repo}${lacks}, or ${whose} cannot see the repository`;
  return pickRef(input, found, { where, cloneUrl: heads.cloneUrl });
}

/**
 * A refusal names the permission the token needs; another 4xx is the forge's word on the repository
 * (GitHub's 409 for an empty one); a 5xx, a rate limit or no answer is the forge not answering now.
 */
function refused(error: unknown, context: { forge: string; repo: string; token: string; permission: string; root: string }): ResolvedHead {
  if (error instanceof ForgeApiError && (error.status === 401 || error.status === 403)) {
    return {
      ok: false, status: 409,
      reason: `${context.forge} refused ${context.token} for ${context.repo} (${error.status} ${error.message}: ${refusalWhy(error.status)}); it needs ${context.permission}`,
    };
  }
  const said = error instanceof ForgeApiError ? `${error.status} ${error.message}` : error instanceof Error ? error.message : String(error);
  if (error instanceof ForgeApiError && error.status >= 400 && error.status < 500 && error.status !== 429) {
    return { ok: false, status: 409, reason: `${context.forge} would not tell where the ref of ${context.repo} points (${said})` };
  }
  return { ok: false, status: 503, reason: `${context.forge}'s API at ${context.root} could not tell where the ref points (${said}): try again in a moment` };
}
