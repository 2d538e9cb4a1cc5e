// laminarc against laminard: does it connect, and does laminard know each configured job?

import { classifyResult, type LaminarcExit } from "../../laminar/index.ts";
import type { ConfiguredJob } from "./configured-jobs.ts";
import { problem, type Finding } from "./finding.ts";

/** What `laminarc show-jobs` printed, per LAMINAR_HOST: one job name a line (reference/laminarc.md). */
function parseShowJobs(stdout: string): Set<string> {
  return new Set(stdout.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== ""));
}

/**
 * Findings for one LAMINAR_HOST from its `laminarc show-jobs`: unreachable (with laminarc's own
 * reason, as the dispatcher words it), or each job of `jobs` that laminard does not know.
 * `withoutRun` are jobs already reported for lacking cfg/jobs/JOB.run: said once, not twice.
 */
export function checkLaminarc(host: string, exit: LaminarcExit, jobs: readonly ConfiguredJob[], withoutRun: ReadonlySet<string>): Finding[] {
  const subject = `laminar ${host}`;
  if (exit.exitCode !== 0 || exit.timedOut || exit.spawnError !== undefined || exit.signal !== null) {
    // show-jobs fails as queue does: the same advice the dispatcher logs.
    const outcome = classifyResult(exit);
    const said = outcome.kind === "queued" ? `exit ${exit.exitCode ?? "unknown"}` : outcome.message;
    return [problem(subject, `laminarc show-jobs failed: ${said}`,
      `every job queued through ${host} stays pending until laminarc reaches laminard: fix that, then run doctor again`)];
  }
  const known = parseShowJobs(exit.stdout);
  return jobs
    .filter((job) => job.host === host && !known.has(job.job) && !withoutRun.has(job.job))
    .map((job) => problem(`job ${job.job}`,
      `laminard at ${host} does not know this job (laminarc show-jobs does not list it; used by ${job.repos.join(", ")})`,
      `create cfg/jobs/${job.job}.run in Laminar's home, or fix the job name in the config (names are case-sensitive)`));
}
