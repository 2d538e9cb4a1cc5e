// The config's API tokens, checked at load: a token without the API root it needs is an error, one
// that nothing will use is worth a warning, as is a status that cannot follow any run.

import type { ForgeName } from "../types.ts";
import type { DocPath } from "./locate.ts";
import type { RawConfig } from "./schema.ts";

type Report = (path: DocPath, message: string, key?: boolean) => void;

/** GitHub's API root is known; the self-hosted forges' must be given (reference/forges.md). */
export const DEFAULT_API: Readonly<Partial<Record<ForgeName, string>>> = { github: "https://api.github.com" };

/** Forges whose commit statuses and delivery logs laminar-hooks can reach (Gogs has no status API). */
const FORGES_WITH_API: ReadonlySet<ForgeName> = new Set(["github", "gitea", "forgejo", "gitlab"]);

/**
 * Tokens are for the forges' APIs: one without an API root cannot be used (an error), and one that
 * nothing will use is worth a word (a warning), as is a status that cannot follow any run.
 */
export function checkReporting(raw: RawConfig, at: Report, warn: Report): void {
  let tokens = 0;
  for (const [name, forge] of Object.entries(raw.forges) as [ForgeName, RawConfig["forges"][ForgeName]][]) {
    if (!forge?.token) continue;
    tokens += 1;
    if (name === "gogs") {
      // Gogs has no status API and no delivery log: only `repo add` uses its token (its hooks API).
      tokens -= 1;
      if (!forge.api) warn(["forges", name, "token"], "forges.gogs.token is used only by repo add and the page's Build, which also need forges.gogs.api (https://HOST/api/v1): Gogs has no commit status API and no delivery log");
    } else if (!forge.api && !DEFAULT_API[name]) {
      at(["forges", name, "token"], `forges.${name}.token needs forges.${name}.api, the API root (${API_EXAMPLE[name]})`, true);
    }
  }
  raw.repositories.forEach((repo, index) => {
    if (!repo.token) return;
    tokens += 1;
    const forge = repo.forge;
    if (forge === undefined) {
      at(["repositories", index, "token"], `repositories.${index}.token needs forge: to tell which API it is for`, true);
    } else if (!FORGES_WITH_API.has(forge)) {
      warn(["repositories", index, "token"], `repositories.${index}.token is not used: ${forge} has no commit status API`);
    } else if (!raw.forges[forge]?.api && !DEFAULT_API[forge]) {
      at(["repositories", index, "token"], `repositories.${index}.token needs forges.${forge}.api, the API root (${API_EXAMPLE[forge]})`, true);
    }
  });
  if (tokens > 0 && !raw.laminar.http) {
    warn(["laminar"], "forge tokens are set but laminar.http is not: runs cannot be followed, so only queued and error statuses are posted");
  }
  if (!raw.laminar.http) {
    // laminard's event stream and run snapshots are how an unanswered call is looked for (DESIGN.md guarantee 3).
    warn(["laminar"], "laminar.http is not set: a laminarc call that does not answer (killed at laminar.timeout, or in flight when laminar-hooks is killed) is made again without asking laminard whether it queued the job, and may build twice");
  }
  if (raw.catch_up.redeliver && raw.catch_up.interval > 0 && tokens > 0 && !raw.server.public_url) {
    warn(["catch_up"], "catch_up.redeliver needs server.public_url to find the forge's hooks; failed deliveries are not redelivered");
  }
  if (raw.catch_up.interval === 0 && raw.repositories.some((repo) => repo.poll)) {
    warn(["catch_up", "interval"], "catch_up.interval is 0: repositories with poll: are never polled");
  }
}

const API_EXAMPLE: Readonly<Partial<Record<ForgeName, string>>> = {
  gitea: "https://HOST/api/v1",
  forgejo: "https://HOST/api/v1",
  gitlab: "https://HOST/api/v4",
};
