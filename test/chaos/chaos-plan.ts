// The schedule of a chaos run, decided by one seed and nothing else: which pushes (branch, commit,
// delivery ids, a second hook's copy, how long the forge waits before each redelivery), and which
// faults at what moment. The same seed always gives the same plan; the real processes it drives do
// not keep time exactly, so a replay meets the same faults at about the same points, not at the
// same instructions (as in Jepsen: the schedule reproduces, the interleaving is only likely to).

import { createRandom, type Random } from "../fuzz/prng.ts";

/** What the harness can do to the system, one kind per fault injector (fault-injectors.ts). */
export const FAULT_KINDS = ["kill-service", "kill-helper", "restart-laminard", "hang-laminarc", "status-5xx", "status-slow"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultCounts = Partial<Record<FaultKind, number>>;

/** The branches pushed to, and the jobs the chaos config (run-chaos.ts) matches for each. */
export const BRANCHES = ["master", "feature/chaos"] as const;
export type Branch = (typeof BRANCHES)[number];
export function jobsFor(branch: Branch): string[] {
  return branch === "master" ? ["build", "docs"] : ["build"];
}

/** One sending of a push by the forge, under its own delivery id, redelivered until answered 2xx. */
export interface PlannedDelivery {
  id: string;
  /** Ms after the start of the run. */
  at: number;
  /** How long the forge waits before each redelivery, in order. */
  retryDelaysMs: number[];
}

export interface PlannedPush {
  index: number;
  branch: Branch;
  before: string;
  sha: string;
  jobs: string[];
  /** The first is the push's own hook; a second one, when present, is another hook on the repository. */
  deliveries: PlannedDelivery[];
}

export interface PlannedFault {
  index: number;
  kind: FaultKind;
  at: number;
  /** kill-service: how long the service stays down; restart-laminard: how long laminard does. */
  downMs?: number;
  /** status-5xx: how many answers in a row; hang-laminarc: how many queue calls. */
  count?: number;
  /** status-slow: how late the API answers. */
  delayMs?: number;
}

export interface ChaosPlan {
  seed: number;
  durationMs: number;
  pushes: PlannedPush[];
  faults: PlannedFault[];
}

export interface PlanOptions {
  seed: number;
  pushes: number;
  /** Pushes and faults are spread over this long; default 600 ms a push. */
  durationMs?: number;
  /** Faults of each kind; default: defaultFaults(pushes). */
  faults?: FaultCounts;
  /** Chance that a push also comes from a second hook with its own delivery id. */
  secondHookChance?: number;
}

/** About what issue 19 ran: 40 pushes, the service killed 3-4 times, the helper twice, laminard twice. */
export function defaultFaults(pushes: number): FaultCounts {
  const per40 = (n: number) => Math.max(1, Math.round((n * pushes) / 40));
  return {
    "kill-service": per40(3),
    "kill-helper": per40(2),
    "restart-laminard": per40(2),
    "hang-laminarc": per40(3),
    "status-5xx": per40(3),
    "status-slow": per40(2),
  };
}

export function planChaos(options: PlanOptions): ChaosPlan {
  const random = createRandom(options.seed);
  const durationMs = options.durationMs ?? options.pushes * 600;
  const secondHookChance = options.secondHookChance ?? 0.15;
  const heads = new Map<Branch, string>(BRANCHES.map((branch) => [branch, sha(random)]));
  const pushes: PlannedPush[] = [];
  for (let index = 0; index < options.pushes; index++) {
    const branch = random.pick(BRANCHES);
    const before = heads.get(branch)!;
    const after = sha(random);
    heads.set(branch, after);
    // Spread evenly with jitter, so that pushes keep coming while faults happen.
    const at = Math.round(((index + random.next()) * durationMs) / options.pushes);
    const deliveries = [{ id: `chaos-${options.seed}-${index}`, at, retryDelaysMs: retryDelays(random) }];
    if (random.chance(secondHookChance)) {
      deliveries.push({ id: `chaos-${options.seed}-${index}-hook2`, at: at + random.between(0, 1500), retryDelaysMs: retryDelays(random) });
    }
    pushes.push({ index, branch, before, sha: after, jobs: jobsFor(branch), deliveries });
  }
  const faults: PlannedFault[] = [];
  for (const kind of FAULT_KINDS) {
    for (let n = 0; n < (options.faults ?? defaultFaults(options.pushes))[kind]!; n++) {
      // Not in the first tenth (the service must be seen working first) nor after the pushes end.
      const at = random.between(Math.round(durationMs * 0.1), Math.round(durationMs * 0.9));
      faults.push({ index: 0, kind, at, ...faultDetails(kind, random) });
    }
  }
  faults.sort((a, b) => a.at - b.at);
  faults.forEach((fault, index) => (fault.index = index));
  return { seed: options.seed, durationMs, pushes, faults };
}

function faultDetails(kind: FaultKind, random: Random): Omit<PlannedFault, "index" | "kind" | "at"> {
  switch (kind) {
    case "kill-service":
      return { downMs: random.between(100, 1500) };
    case "restart-laminard":
      return { downMs: random.between(50, 1000) };
    case "hang-laminarc":
      return { count: random.between(1, 2) };
    case "status-5xx":
      return { count: random.between(1, 3) };
    case "status-slow":
      return { delayMs: random.between(500, 3000) };
    case "kill-helper":
      return {};
  }
}

/** A forge's redelivery: GitHub's "Redeliver" or a retrying sender, a second or so apart. */
function retryDelays(random: Random): number[] {
  return Array.from({ length: 60 }, () => random.between(200, 1200));
}

function sha(random: Random): string {
  return random.bytes(20).toString("hex");
}

/** `kill-service=3,status-5xx=0`: counts for the kinds named; the others keep their default. */
export function parseFaultCounts(text: string, defaults: FaultCounts): FaultCounts {
  const counts: FaultCounts = { ...defaults };
  for (const part of text.split(",").filter((item) => item.trim() !== "")) {
    const [kind, count] = part.split("=").map((item) => item.trim());
    if (!FAULT_KINDS.includes(kind as FaultKind)) throw new Error(`unknown fault ${JSON.stringify(kind)}: one of ${FAULT_KINDS.join(", ")}`);
    const n = Number(count);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${kind}=${count ?? ""}: give a count, like ${kind}=2`);
    counts[kind as FaultKind] = n;
  }
  return counts;
}
