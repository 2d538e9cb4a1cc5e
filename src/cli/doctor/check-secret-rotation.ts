// A secret change under way (`secret:` a list, after `repo rotate-secret`): is the old secret still
// used, or can `--finish` drop it? The journal says which secret verified each delivery, by its
// position in the list (never the value).

import type { SecretUse } from "../../journal/index.ts";
import { note, warning, type Finding } from "./finding.ts";

export const DAY_MS = 86_400_000;

export interface SecretList {
  /** `github acme/app` for a repository's list, `forges.github` for a forge's own. */
  subject: string;
  /** What `--finish` is run on; absent for a forge's list, which rotate-secret does not change. */
  repo?: string;
  /** How many secrets the list has (2 or more). */
  count: number;
}

/**
 * When it is safe to finish: no older secret verified anything in the last day, and the newest one
 * verified its first delivery at least a day ago. The config carries no date, so the newest
 * secret's first use is the rotation's start as the journal sees it (rotate-secret's signed probe,
 * when the service journals it with the repository, else the first delivery the forge signed with
 * it).
 * Counting the day from there, not from the old secret's last use, keeps a quiet repository from
 * being declared finished the minute its list was made: the forge may not have the new one yet,
 * and the day has to be one in which the forge could have used the old one and did not.
 */
export function checkSecretRotation(list: SecretList, uses: readonly SecretUse[], now: number): Finding[] {
  if (list.count < 2) return [];
  const newest = list.count - 1;
  const since = now - DAY_MS;
  const subject = `${list.subject} secrets`;
  const finish = list.repo === undefined
    ? `remove the old secret from the list of ${list.subject} in the config (keep the last one); the service reloads it`
    : `finish the change with \`laminar-hooks repo rotate-secret ${list.repo} --finish\``;
  const stillUsed = uses.filter((use) => use.index < newest && use.lastAt >= since);
  if (stillUsed.length > 0) {
    return stillUsed.map((use) => note(subject,
      `secret #${use.index + 1} of ${list.count} still verified a delivery at ${iso(use.lastAt)}: the forge still signs with it (its hook may not have been updated)`,
      list.repo === undefined
        ? "set the newest secret in the hooks that send here; finish once nothing has used the old one for a day"
        : `run \`laminar-hooks repo rotate-secret ${list.repo}\` again to update the hook (or set the newest secret in it by hand); finish once nothing has used the old one for a day`));
  }
  const first = uses.find((use) => use.index === newest);
  const old = Array.from({ length: newest }, (_, index) => `#${index + 1}`).join(", ");
  if (first === undefined) {
    return [note(subject, `secret #${list.count} (the newest) has verified no delivery yet: the service may not have loaded it, or the forge does not sign with it yet`,
      list.repo === undefined ? "set it in the hooks that send here" : `run \`laminar-hooks repo rotate-secret ${list.repo}\` (it waits for the service, then updates the hook)`)];
  }
  if (first.firstAt > since) {
    return [note(subject, `secret #${list.count} verified its first delivery at ${iso(first.firstAt)}, and secret ${old} nothing since a day before now`,
      `after ${iso(first.firstAt + DAY_MS)}, if nothing has used ${old} by then, ${finish}`)];
  }
  return [warning(subject, `secret ${old} of ${list.repo ?? list.subject} ${newest > 1 ? "have" : "has"} verified nothing for a day`, finish)];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
