// A secret change under way (`secret:` a list, after `repo rotate-secret`): is the old secret still
// used, or can `--finish` drop it? The journal says which secret verified each delivery, by its
// position in the list (never the value).

import { note, warning, type Finding } from "./finding.ts";

export const DAY_MS = 86_400_000;

/** What the journal says of one position of a list. */
export interface PositionUse {
  index: number;
  lastAt: number;
  count: number;
  /** Its first use after the last use of every position before it; absent when an older one was used last. */
  takeoverAt?: number;
}

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
 * took over at least a day ago. The config carries no date, so the rotation's start is when the
 * journal first saw the newest secret verify a delivery after the last one an older secret did
 * (rotate-secret's signed probe, when the service journals it with the repository, else the first
 * delivery the forge signed with it). Counting the day from there, not from the old secret's last
 * use, keeps a quiet repository from being declared finished the minute its list was made: the
 * forge may not have the new one yet, and the day has to be one in which the forge could have used
 * the old one and did not.
 */
export function checkSecretRotation(list: SecretList, uses: readonly PositionUse[], now: number): Finding[] {
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
  const takeoverAt = uses.find((use) => use.index === newest)?.takeoverAt;
  const old = Array.from({ length: newest }, (_, index) => `#${index + 1}`).join(", ");
  if (takeoverAt === undefined) {
    const since = uses.length === 0 ? "yet" : `since ${old} last did`;
    return [note(subject, `secret #${list.count} (the newest) has verified no delivery ${since}: the service may not have loaded it, or the forge does not sign with it yet`,
      list.repo === undefined ? "set it in the hooks that send here" : `run \`laminar-hooks repo rotate-secret ${list.repo}\` (it waits for the service, then updates the hook)`)];
  }
  if (takeoverAt > since) {
    return [note(subject, `secret #${list.count} verified its first delivery at ${iso(takeoverAt)}, and secret ${old} nothing since a day before now`,
      `after ${iso(takeoverAt + DAY_MS)}, if nothing has used ${old} by then, ${finish}`)];
  }
  return [warning(subject, `secret ${old} of ${list.repo ?? list.subject} ${newest > 1 ? "have" : "has"} verified nothing for a day`, finish)];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
