// The routing table `check` prints: what the service will do, in the words of the config, with
// where each secret comes from and never what it is.

import { formatDuration, formatSize } from "../config/units.ts";
import type { Secret } from "../config/secret.ts";
import type { Config, JobRule } from "../types.ts";

export function describeConfig(config: Config): string {
  const lines: string[] = [];
  const { server, laminar, journal } = config;
  const listen = server.listen.kind === "unix" ? `unix:${server.listen.path}` : `${server.listen.host}:${server.listen.port}`;
  lines.push(`config ${config.file} is valid`);
  lines.push(`listen ${listen}, hooks at ${server.path} and ${server.path === "/" ? "" : server.path}/{forge}, body limit ${formatSize(server.bodyLimitBytes)}${server.trustProxy ? ", client address from X-Forwarded-For" : ""}`);
  lines.push(`laminarc ${laminar.laminarc} → ${laminar.host}, ${laminar.concurrency} at once, timeout ${formatDuration(laminar.timeoutMs)}, ${laminar.retry.attempts} attempts from ${formatDuration(laminar.retry.delayMs)} to ${formatDuration(laminar.retry.maxDelayMs)}`);
  lines.push(`journal ${journal.path}, kept ${formatDuration(journal.retentionMs)}`);
  const forges = Object.entries(config.forges).map(([name, forge]) =>
    `${name} (${forge?.secret ? describeSecrets(forge.secrets ?? [forge.secret]) : forge?.insecure ? "INSECURE: unsigned deliveries accepted" : "no secret"})`);
  lines.push(`forges: ${forges.length > 0 ? forges.join(", ") : "none configured"}`);
  lines.push("repositories:");
  for (const repo of config.repositories) {
    const secret = repo.secret ? describeSecrets(repo.secrets ?? [repo.secret]) : repo.insecure ? "INSECURE: unsigned deliveries accepted" : "forge's secret";
    lines.push(`  ${repo.repo}${repo.forge ? ` [${repo.forge}]` : ""}: ${secret}`);
    for (const job of repo.jobs) lines.push(`    ${describeJob(job)}`);
  }
  return lines.join("\n");
}

function describeJob(job: JobRule): string {
  const filters = [
    job.events.join("|"),
    job.branches ? `branches ${job.branches.join(", ")}` : undefined,
    job.tags ? `tags ${job.tags.join(", ")}` : undefined,
    job.actions ? `actions ${job.actions.join(", ")}` : undefined,
    job.paths ? `paths ${job.paths.join(", ")}` : undefined,
    job.ignorePaths ? `ignore_paths ${job.ignorePaths.join(", ")}` : undefined,
    job.skipCi ? undefined : "skip_ci: false",
    job.host ? `host ${job.host}` : undefined,
    job.supersede ? `supersede: ${job.supersede}` : undefined,
  ].filter(Boolean).join("; ");
  const params = Object.entries(job.params).map(([name, value]) => `${name}=${value.source}`).join(" ");
  return `${filters} → ${job.job}${params ? `  (${params})` : ""}`;
}

/** Where each secret comes from, never what it is; two while a secret changes. */
function describeSecrets(secrets: readonly Secret[]): string {
  const from = (secret: Secret) => `${secret.source}${secret.unreadable === undefined ? "" : ", unreadable here"}`;
  if (secrets.length === 1) return `secret from ${secrets[0] === undefined ? "?" : from(secrets[0])}`;
  return `secrets from ${secrets.map((secret, index) => `#${index + 1} ${from(secret)}`).join(", ")} (any verifies; the hook signs with #${secrets.length})`;
}
