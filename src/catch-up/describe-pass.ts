// Catch-up's findings as a person reads them: `catch-up` prints these lines, the service logs them.

import type { Finding, RepositoryReport } from "./poll-repository.ts";
import type { PassReport } from "./run-pass.ts";

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

export function describeRepository(report: RepositoryReport): string[] {
  const head = `${report.repo} (${report.remote})`;
  if (report.outcome === "failed") return [`${head}: poll failed: ${report.reason ?? "unknown"}`];
  if (report.outcome === "baseline") return [`${head}: ${report.heads} heads; ${report.reason ?? ""}`];
  if (report.findings.length === 0) return [`${head}: ${report.heads} heads, none moved`];
  return [`${head}: ${report.heads} heads`, ...report.findings.map((finding) => `  ${describeFinding(finding)}`)];
}

export function describePass(report: PassReport): string[] {
  return report.polls.flatMap(describeRepository);
}
