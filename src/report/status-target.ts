import type { ApiTarget } from "../forges/shared/api-target.ts";
import { findRepository } from "../routing/find-repository.ts";
import type { Config, ForgeName } from "../types.ts";

/** Where and with what a status for one repository goes. */
type StatusTarget = ApiTarget;

/** Forges with a commit status API (reference/forges.md); Gogs has none. */
const FORGES_WITH_STATUSES: ReadonlySet<ForgeName> = new Set(["github", "gitea", "forgejo", "gitlab"]);

/**
 * The API and token for statuses on `repo`, or undefined when none are posted: the repository says
 * `status: false`, the forge has no status API, or no token (the repository's, else the forge's)
 * or no API root is configured. Read at planning and again at sending, so a reload applies.
 */
export function statusTarget(config: Config, forge: ForgeName, repo: string): StatusTarget | undefined {
  if (!FORGES_WITH_STATUSES.has(forge)) return undefined;
  const repository = findRepository(config, forge, repo);
  if (repository === undefined || !repository.status) return undefined;
  const forgeConfig = config.forges[forge];
  const token = repository.token ?? forgeConfig?.token;
  const api = forgeConfig?.api;
  if (token === undefined || api === undefined) return undefined;
  return { api, token };
}
