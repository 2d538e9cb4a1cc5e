// The config's secret lists (a change under way) and what the journal says of each: which list
// verified a delivery is decided as the service decides it (find-repository.ts), since a forge's
// list verifies every repository without a secret of its own, globs included.

import type { RepoSecretUse } from "../../journal/index.ts";
import { findRepository, secretsOf } from "../../routing/find-repository.ts";
import { isGlob } from "../../routing/glob.ts";
import { FORGE_NAMES, type Config, type ForgeName, type RepositoryConfig } from "../../types.ts";
import { checkSecretRotation, type PositionUse, type SecretList } from "./check-secret-rotation.ts";
import type { Finding } from "./finding.ts";

type Owner = RepositoryConfig | ForgeName;

/** Whether any repository or forge lists more than one secret: only then is the journal read. */
export function hasSecretLists(config: Config): boolean {
  return listsOf(config).length > 0;
}

/** Findings for every list, from each forge's per-repository uses. Pure. */
export function checkSecretLists(config: Config, usesOf: (forge: ForgeName) => readonly RepoSecretUse[], now: number): Finding[] {
  const lists = listsOf(config);
  if (lists.length === 0) return [];
  const uses = new Map<Owner, Map<number, PositionUse>>();
  for (const forge of FORGE_NAMES) {
    for (const row of usesOf(forge)) {
      const entry = findRepository(config, forge, row.repo);
      const owner: Owner = entry?.secret !== undefined ? entry : forge;
      const byIndex = uses.get(owner) ?? new Map<number, PositionUse>();
      uses.set(owner, byIndex);
      byIndex.set(row.index, merged(byIndex.get(row.index), row));
    }
  }
  return lists.flatMap(({ owner, list }) => checkSecretRotation(list, [...(uses.get(owner)?.values() ?? [])], now));
}

/**
 * One position's uses over several repositories (a forge's list; or one name spelt in two cases):
 * it took over when the last of them switched, and has not where one of them still used an older
 * secret last.
 */
function merged(seen: PositionUse | undefined, row: RepoSecretUse): PositionUse {
  const { index, lastAt, count, takeoverAt } = row;
  if (seen === undefined) return { index, lastAt, count, ...(takeoverAt === undefined ? {} : { takeoverAt }) };
  const both = seen.takeoverAt === undefined || takeoverAt === undefined ? {} : { takeoverAt: Math.max(seen.takeoverAt, takeoverAt) };
  return { index, lastAt: Math.max(seen.lastAt, lastAt), count: seen.count + count, ...both };
}

function listsOf(config: Config): { owner: Owner; list: SecretList }[] {
  const lists: { owner: Owner; list: SecretList }[] = [];
  for (const entry of config.repositories) {
    const count = secretsOf(entry).length;
    if (count < 2) continue;
    // rotate-secret changes an exact name with a forge; a glob's list is finished by hand.
    const byCommand = entry.forge !== undefined && !isGlob(entry.repo);
    lists.push({ owner: entry, list: { subject: `${entry.forge ?? "repository"} ${entry.repo}`, count, ...(byCommand ? { repo: entry.repo } : {}) } });
  }
  for (const forge of FORGE_NAMES) {
    const forgeConfig = config.forges[forge];
    const count = forgeConfig === undefined ? 0 : secretsOf(forgeConfig).length;
    if (count >= 2) lists.push({ owner: forge, list: { subject: `forges.${forge}`, count } });
  }
  return lists;
}
