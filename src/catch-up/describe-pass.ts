// Catch-up's findings as a person reads them: `catch-up` prints these lines, the service logs them.

import type { Finding, RepositoryReport } from "./poll-repository.ts";
import { GITLAB_RESENDS_PER_MINUTE, type LoggingForge, type RedeliverReport, type RedeliveryFinding } from "./redeliver-repository.ts";
import { MAX_REDELIVERIES_PER_PASS, type PassReport } from "./run-pass.ts";

const short = (sha: string) => sha.slice(0, 7);
const name = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, "");

export function describeFinding(finding: Finding): string {
  const what = `${finding.ref.startsWith("refs/tags/") ? "tag" : "branch"} ${name(finding.ref)} at ${short(finding.sha)}`;
  switch (finding.kind) {
    case "queued":
      return `${what}: no delivery brought it; delivery ${finding.id} (${finding.deliveryId}) queues ${finding.jobs.join(", ")}`;
    case "unmatched":
      return `${what}: no delivery brought it; delivery ${finding.id} kept, no job: ${finding.why}`;
    case "delivered":
      return `${what}: brought by delivery ${finding.by.id} (${finding.by.deliveryId}); nothing to do`;
    case "deleted":
      return `${what}: deleted; builds nothing`;
    case "would-queue":
      return `${what}: no delivery brought it; would be routed as ${finding.deliveryId} (dry run)`;
    case "failed":
      return `${what}: no delivery brought it, but it could not be kept: ${finding.reason}`;
  }
}

function describeRepository(report: RepositoryReport): string[] {
  const head = `${report.repo} (${report.remote})`;
  if (report.outcome === "failed") return [`${head}: poll failed: ${report.reason ?? "unknown"}`];
  if (report.outcome === "baseline") return [`${head}: ${report.heads} heads; ${report.reason ?? ""}`];
  if (report.findings.length === 0) return [`${head}: ${report.heads} heads, none moved`];
  return [`${head}: ${report.heads} heads`, ...report.findings.map((finding) => `  ${describeFinding(finding)}`)];
}

/** How a person names the forge whose delivery log it is. */
export function forgeLabel(forge: LoggingForge): string {
  return forge === "gitlab" ? "GitLab" : "GitHub";
}

export function describeRedelivery(finding: RedeliveryFinding, forge: LoggingForge): string {
  const label = forgeLabel(forge);
  const what = `${finding.event} delivery ${finding.guid} (${label}: ${finding.status})`;
  switch (finding.kind) {
    case "asked":
      return `${what}: never reached laminar-hooks; ${label} was asked to send it again`;
    case "would-ask":
      return `${what}: never reached laminar-hooks; would ask ${label} to send it again (dry run)`;
    case "refused":
      return `${what}: ${label} refused to send it again (${finding.answer ?? "?"}); not asked again`;
    case "failed":
      return `${what}: asking ${label} to send it again failed (${finding.answer ?? "?"}); next pass tries again`;
    case "deferred":
      return forge === "gitlab"
        ? `${what}: left for a later pass (GitLab resends at most ${GITLAB_RESENDS_PER_MINUTE} a minute per hook; at most ${MAX_REDELIVERIES_PER_PASS} a pass)`
        : `${what}: left for the next pass (at most ${MAX_REDELIVERIES_PER_PASS} a pass)`;
  }
}

function describeRedeliveries(report: RedeliverReport): string[] {
  const head = `${report.repo} (${forgeLabel(report.forge)} delivery log)`;
  if (report.outcome === "failed") return [`${head}: failed: ${report.reason ?? "unknown"}`];
  if (report.hooks === 0) return [`${head}: no active hook sends to server.public_url`];
  if (report.findings.length === 0) return [`${head}: ${report.hooks} hook(s), no failed delivery missing`];
  return [`${head}: ${report.hooks} hook(s)`, ...report.findings.map((finding) => `  ${describeRedelivery(finding, report.forge)}`)];
}

export function describePass(report: PassReport): string[] {
  return [...report.redeliveries.flatMap(describeRedeliveries), ...report.polls.flatMap(describeRepository)];
}
