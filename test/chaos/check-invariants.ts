// The promise checked over a whole chaos run, as a pure function of what the fakes saw: every push
// builds exactly once (one successful run of each job it matches, in laminard), its result shows
// on the forge (the last status of its commit and context is `success`, linking that run), no
// status was posted out of order, and the service stops cleanly, leaving nothing it started behind.

export type Invariant = "acknowledged" | "built-once" | "last-status" | "status-order" | "no-leftovers" | "clean-stop" | "valid-requests";

export interface Violation {
  invariant: Invariant;
  /** The push it concerns, when it concerns one. */
  push?: number;
  message: string;
}

export interface CheckedPush {
  index: number;
  sha: string;
  /** The jobs the config matches for it. */
  jobs: readonly string[];
  /** Whether the forge got a 2xx for at least one of its deliveries. */
  acknowledged: boolean;
}

/** A run as laminard's database keeps it; `rev` is the run's `rev=` parameter. */
export interface CheckedRun {
  name: string;
  number: number;
  rev: string | undefined;
  result: string;
}

/** A status the forge created, in the order it created them. */
export interface CheckedStatus {
  sha: string;
  context: string;
  state: string;
  targetUrl: string | null;
}

export interface CheckInput {
  pushes: readonly CheckedPush[];
  runs: readonly CheckedRun[];
  statuses: readonly CheckedStatus[];
  /** Processes of the service's (service, helper, laminarc) alive after it stopped. */
  leftovers: readonly { pid: number; command: string }[];
  /** How the service ended on SIGTERM once everything settled: `exit 0` (DESIGN.md guarantee 4). */
  stopped: string;
  /** Requests to the forge's API that the real API would refuse. */
  apiProblems: readonly string[];
  /** The status context of a job (the config's `status.context`). */
  context(job: string): string;
  /** The link a status gives to a run. */
  runUrl(job: string, number: number): string;
}

export function checkInvariants(input: CheckInput): Violation[] {
  const violations: Violation[] = [];
  const known = new Set(input.pushes.map((push) => push.sha));
  for (const push of input.pushes) {
    if (!push.acknowledged) violations.push({ invariant: "acknowledged", push: push.index, message: "no delivery of this push was ever answered 2xx" });
    const runsOfPush = input.runs.filter((run) => run.rev === push.sha);
    const jobs = new Set([...push.jobs, ...runsOfPush.map((run) => run.name)]);
    for (const job of jobs) {
      const runs = runsOfPush.filter((run) => run.name === job);
      const succeeded = runs.filter((run) => run.result === "success");
      const expected = push.jobs.includes(job) ? 1 : 0;
      if (succeeded.length !== expected) {
        const listed = runs.length === 0 ? "no run at all" : runs.map((run) => `${run.name}:${run.number} ${run.result}`).join(", ");
        violations.push({ invariant: "built-once", push: push.index, message: `${job}: ${succeeded.length} successful runs, expected ${expected} (${listed})` });
      }
      if (expected === 0) continue;
      const context = input.context(job);
      const statuses = input.statuses.filter((status) => status.sha === push.sha && status.context === context);
      const last = statuses.at(-1);
      const built = succeeded[0];
      if (last === undefined) {
        violations.push({ invariant: "last-status", push: push.index, message: `${context}: the forge has no status for ${push.sha.slice(0, 7)}` });
      } else if (last.state !== "success") {
        violations.push({ invariant: "last-status", push: push.index, message: `${context}: the forge's last status is ${last.state} (${last.targetUrl ?? "no link"}), not success` });
      } else if (built !== undefined && succeeded.length === 1 && last.targetUrl !== input.runUrl(job, built.number)) {
        violations.push({ invariant: "last-status", push: push.index, message: `${context}: the success links ${last.targetUrl ?? "nothing"}, not the run that built it (${input.runUrl(job, built.number)})` });
      }
      const afterSuccess = outOfOrder(statuses);
      if (afterSuccess !== undefined) {
        violations.push({ invariant: "status-order", push: push.index, message: `${context}: ${afterSuccess.state} (${afterSuccess.targetUrl ?? "no link"}) posted after success` });
      }
    }
  }
  for (const run of input.runs) {
    if (run.rev === undefined || !known.has(run.rev)) violations.push({ invariant: "built-once", message: `${run.name}:${run.number} (${run.result}) builds no push that was sent (rev=${run.rev ?? "none"})` });
  }
  for (const leftover of input.leftovers) {
    violations.push({ invariant: "no-leftovers", message: `pid ${leftover.pid} outlived the service: ${leftover.command}` });
  }
  if (input.stopped !== "exit 0") violations.push({ invariant: "clean-stop", message: `SIGTERM to the service: ${input.stopped}, not exit 0` });
  for (const problem of input.apiProblems) violations.push({ invariant: "valid-requests", message: problem });
  return violations;
}

/** The first status after a success that is not that same success again (a re-post is harmless). */
function outOfOrder(statuses: readonly CheckedStatus[]): CheckedStatus | undefined {
  const first = statuses.findIndex((status) => status.state === "success");
  if (first === -1) return undefined;
  const success = statuses[first]!;
  return statuses.slice(first + 1).find((status) => status.state !== "success" || status.targetUrl !== success.targetUrl);
}
