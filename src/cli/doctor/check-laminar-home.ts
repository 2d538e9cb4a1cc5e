// What Laminar's home says about the configured jobs: a job without its .run cannot be queued, and
// a variable set by an env file silently beats the parameter of the same name.

import type { ConfiguredJob } from "./configured-jobs.ts";
import { problem, warning, type Finding } from "./finding.ts";

/** An env file of Laminar's home and the names it sets. */
export interface EnvFile {
  /** Relative to the home: `cfg/env`, `cfg/contexts/C.env`, `cfg/jobs/JOB.env`. */
  path: string;
  /** Which runs it applies to: every run, runs in a context, or one job's runs. */
  scope: { kind: "all" } | { kind: "context"; context: string } | { kind: "job"; job: string };
  names: readonly string[];
}

/** What doctor read of Laminar's home (read-laminar-home.ts does the reading). */
export interface LaminarHome {
  path: string;
  /** Jobs with a `cfg/jobs/NAME.run`. */
  runnable: ReadonlySet<string>;
  envFiles: readonly EnvFile[];
}

/**
 * The variable names an env file sets, as Laminar reads it (src/conf.cpp, parseConfFile): each
 * line with a `=`, split at the first one, the name not trimmed; lines starting with `#` skipped.
 */
export function envFileNames(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const at = line.indexOf("=");
    if (at >= 0) names.push(line.slice(0, at));
  }
  return names;
}

export function checkLaminarHome(home: LaminarHome, jobs: readonly ConfiguredJob[]): Finding[] {
  const findings: Finding[] = [];
  const reported = new Set<string>();
  for (const job of jobs) {
    if (home.runnable.has(job.job) || reported.has(job.job)) continue;
    reported.add(job.job);
    findings.push(problem(`job ${job.job}`, `${home.path}/cfg/jobs/${job.job}.run does not exist: Laminar cannot run it (used by ${job.repos.join(", ")})`,
      `create that script (executable), or fix the job name in the config (names are case-sensitive)`));
  }
  const warned = new Set<string>();
  for (const job of jobs) {
    for (const file of home.envFiles) {
      if (file.scope.kind === "job" && file.scope.job !== job.job) continue;
      const overridden = file.names.filter((name) => job.params.has(name));
      const key = `${job.job}\0${file.path}`;
      if (overridden.length === 0 || warned.has(key)) continue;
      warned.add(key);
      // Measured (reference/laminard-http.md, last section): env files are set before the
      // parameters, and a parameter never overrides a variable that is already set.
      const when = file.scope.kind === "context" ? ` when it runs in context ${file.scope.context}` : "";
      findings.push(warning(`job ${job.job}`,
        `${file.path} sets ${overridden.join(", ")}, so the parameter${overridden.length === 1 ? "" : "s"} of that name never reach${overridden.length === 1 ? "es" : ""} the run${when}: Laminar's env files win, silently`,
        `rename or remove ${overridden.length === 1 ? "that variable" : "those variables"} in ${file.path} (or the parameter in the config)`));
    }
  }
  return findings;
}
