// Polling a git remote (catch-up) stands in for one repository's webhooks: checked at load.

import type { DocPath } from "./locate.ts";
import type { RawConfig } from "./schema.ts";

type Report = (path: DocPath, message: string, key?: boolean) => void;

/**
 * A polled push becomes a delivery of one repository of one forge: its name cannot be a glob, and
 * its forge names the delivery and the `forge` parameter its jobs get, as its webhook would.
 */
export function checkPolling(raw: RawConfig, at: Report): void {
  raw.repositories.forEach((repo, index) => {
    if (!repo.poll) return;
    const where = `repositories.${index}.poll`;
    if (/[*?[\]{}()!]/.test(repo.repo)) {
      at(["repositories", index, "poll"], `${where} needs an exact repo name, not the glob "${repo.repo}": one remote is one repository`, true);
    }
    if (!repo.forge) {
      at(["repositories", index, "poll"], `${where} needs forge: on the repository, the forge whose webhooks the poll stands in for`, true);
    }
  });
}
