import type { Config, ForgeConfig, ForgeName, RepositoryConfig } from "../types.ts";
import type { Secret } from "../config/secret.ts";
import { matchesGlob } from "./glob.ts";

/**
 * The repository entry a delivery belongs to. An exact name wins over a glob; among globs the
 * first in the file wins. Names compare case-insensitively: GitHub and Gitea treat `Owner/Repo`
 * and `owner/repo` as the same repository.
 */
export function findRepository(config: Config, forge: ForgeName, repo: string): RepositoryConfig | undefined {
  const candidates = config.repositories.filter((entry) => entry.forge === undefined || entry.forge === forge);
  const wanted = repo.toLowerCase();
  return candidates.find((entry) => entry.repo.toLowerCase() === wanted)
    ?? candidates.find((entry) => matchesGlob(repo, entry.repo, { nocase: true }));
}

/**
 * How a delivery must be verified: with any of these secrets (`secret` is the newest, the one a
 * hook signs with), or not at all (insecure), or impossible.
 */
export type Verification =
  | { kind: "secret"; secret: Secret; secrets: readonly Secret[] }
  | { kind: "insecure" }
  | { kind: "none"; reason: string };

/** The repository's own secret, else its forge's; `insecure: true` on either waives the check. */
export function verificationFor(config: Config, forge: ForgeName, repository: RepositoryConfig | undefined): Verification {
  if (repository?.secret) return { kind: "secret", secret: repository.secret, secrets: secretsOf(repository) };
  const forgeConfig: ForgeConfig | undefined = config.forges[forge];
  if (forgeConfig?.secret) return { kind: "secret", secret: forgeConfig.secret, secrets: secretsOf(forgeConfig) };
  if (repository?.insecure || forgeConfig?.insecure) return { kind: "insecure" };
  return { kind: "none", reason: `no secret is configured for ${forge} deliveries${repository ? ` to ${repository.repo}` : ""}` };
}

/**
 * The forge's secret when it is the one for every delivery from that forge, whatever repository the
 * payload names: no repository entry that could take them has a secret of its own. Then the hook
 * endpoint checks the signature before it parses a byte of JSON. Agrees with verificationFor.
 */
export function forgeWideSecret(config: Config, forge: ForgeName): Verification & { kind: "secret" } | undefined {
  const forgeConfig = config.forges[forge];
  if (!forgeConfig?.secret) return undefined;
  for (const entry of config.repositories) {
    if (entry.secret && (entry.forge === undefined || entry.forge === forge)) return undefined;
  }
  return { kind: "secret", secret: forgeConfig.secret, secrets: secretsOf(forgeConfig) };
}

/** Every secret of an entry; a Config made in code may give only `secret`. */
export function secretsOf(entry: { secret?: Secret; secrets?: readonly Secret[] }): readonly Secret[] {
  return entry.secrets ?? (entry.secret === undefined ? [] : [entry.secret]);
}
