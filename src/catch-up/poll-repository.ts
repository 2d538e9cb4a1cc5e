// One repository's poll, in two steps so that a pass can wait once for all of them: inspect (ask
// the remote, compare with what the last poll saw) and settle (turn each unbrought head into a
// delivery, remember the heads).

import type { CatchUpStore, PolledState, StoredHead } from "../journal/catch-up-store.ts";
import type { EarlierDelivery } from "../journal/index.ts";
import type { ForgeName, RepositoryConfig } from "../types.ts";
import { compareHeads, type HeadChange } from "./compare-heads.ts";
import type { LsRemoteResult } from "./ls-remote.ts";
import { polledDelivery } from "./polled-event.ts";
import { receivePolled, type ReceiveServices } from "./receive-polled.ts";
import { redactUrl } from "./redact-url.ts";

/** A repository catch-up polls: `poll:` and `forge:` set (the config refuses one without the other). */
export interface PolledRepository extends RepositoryConfig {
  poll: string;
  forge: ForgeName;
}

type Inspection =
  | { kind: "failed"; repository: PolledRepository; remote: string; reason: string }
  /** The first successful poll (or one of another remote): its heads are only recorded. */
  | { kind: "baseline"; repository: PolledRepository; remote: string; state: PolledState; why: string }
  | { kind: "compared"; repository: PolledRepository; remote: string; state: PolledState; known: PolledState; changes: HeadChange[] };

/** What one head change came to. */
export type Finding =
  | { kind: "queued"; ref: string; sha: string; id: number; deliveryId: string; jobs: readonly string[] }
  | { kind: "unmatched"; ref: string; sha: string; id: number; deliveryId: string; why: string }
  /** A delivery (its webhook, usually) brought this head: nothing to do. */
  | { kind: "delivered"; ref: string; sha: string; by: EarlierDelivery }
  | { kind: "deleted"; ref: string; sha: string }
  | { kind: "would-queue"; ref: string; sha: string; deliveryId: string }
  | { kind: "failed"; ref: string; sha: string; reason: string };

export interface RepositoryReport {
  repo: string;
  /** Without userinfo: fit for logs and output. */
  remote: string;
  outcome: "failed" | "baseline" | "compared";
  /** Why it failed, or why this poll was a baseline. */
  reason?: string;
  heads: number;
  findings: Finding[];
}

/** Asks the remote for its heads and compares them with the last poll's. Never rejects. */
export async function inspectRepository(
  repository: PolledRepository, store: CatchUpStore, listHeads: (remote: string) => Promise<LsRemoteResult>, now: () => number,
): Promise<Inspection> {
  const remote = redactUrl(repository.poll);
  const listed = await listHeads(repository.poll);
  if (!listed.ok) return { kind: "failed", repository, remote, reason: listed.reason };
  const state: PolledState = { remote, polledAt: now(), heads: new Map(listed.heads) };
  const known = store.polled(repository.repo);
  if (known === undefined) return { kind: "baseline", repository, remote, state, why: "first poll: heads recorded, nothing built" };
  if (known.remote !== remote) {
    return { kind: "baseline", repository, remote, state, why: `another remote than before (${known.remote}): heads recorded, nothing built` };
  }
  return { kind: "compared", repository, remote, state, known, changes: compareHeads(known.heads, listed.heads) };
}

/** Whether settling would turn anything into a delivery now: what a pass waits the grace for. */
export function awaitsDelivery(inspection: Inspection, store: CatchUpStore): boolean {
  if (inspection.kind !== "compared") return false;
  return inspection.changes.some((change) =>
    change.kind !== "deleted" && store.broughtBy(inspection.repository.repo, change.ref, shasOf(change.head)) === undefined);
}

interface SettleOptions {
  store: CatchUpStore;
  services: ReceiveServices;
  /** Report what would be queued; change nothing. */
  dryRun: boolean;
}

/**
 * Each head that moved or appeared and that no delivery brought becomes a delivery of its own;
 * then the heads are remembered, except those whose delivery could not be kept (tried again next
 * pass). A deleted branch or tag builds nothing.
 */
export async function settleRepository(inspection: Inspection, options: SettleOptions): Promise<RepositoryReport> {
  const base = { repo: inspection.repository.repo, remote: inspection.remote };
  if (inspection.kind === "failed") return { ...base, outcome: "failed", reason: inspection.reason, heads: 0, findings: [] };
  if (inspection.kind === "baseline") {
    if (!options.dryRun) options.store.savePolled(inspection.repository.repo, inspection.state);
    return { ...base, outcome: "baseline", reason: inspection.why, heads: inspection.state.heads.size, findings: [] };
  }
  const remembered = new Map<string, StoredHead>(inspection.state.heads);
  const findings: Finding[] = [];
  for (const change of inspection.changes) {
    const finding = await settleChange(inspection, change, options);
    findings.push(finding);
    if (finding.kind === "failed") {
      const before = inspection.known.heads.get(change.ref);
      if (before === undefined) remembered.delete(change.ref);
      else remembered.set(change.ref, before);
    }
  }
  if (!options.dryRun) options.store.savePolled(inspection.repository.repo, { ...inspection.state, heads: remembered });
  return { ...base, outcome: "compared", heads: inspection.state.heads.size, findings };
}

async function settleChange(
  inspection: Extract<Inspection, { kind: "compared" }>, change: HeadChange, options: SettleOptions,
): Promise<Finding> {
  const { repository, remote } = inspection;
  if (change.kind === "deleted") return { kind: "deleted", ref: change.ref, sha: change.before.peeled };
  const sha = change.head.peeled;
  const by = options.store.broughtBy(repository.repo, change.ref, shasOf(change.head));
  if (by !== undefined) return { kind: "delivered", ref: change.ref, sha, by };
  const delivery = polledDelivery({
    forge: repository.forge, repo: repository.repo, remote, ref: change.ref, head: change.head,
    ...(change.kind === "moved" ? { before: change.before } : {}),
  });
  if (options.dryRun) return { kind: "would-queue", ref: change.ref, sha, deliveryId: delivery.deliveryId };
  try {
    const received = await receivePolled(delivery, repository, options.services);
    switch (received.kind) {
      case "queued":
        return { kind: "queued", ref: change.ref, sha, id: received.id, deliveryId: delivery.deliveryId, jobs: received.jobs };
      case "unmatched":
        return { kind: "unmatched", ref: change.ref, sha, id: received.id, deliveryId: delivery.deliveryId, why: received.note ?? "no job matches" };
      case "duplicate":
        return { kind: "delivered", ref: change.ref, sha, by: received.of };
    }
  } catch (error) {
    return { kind: "failed", ref: change.ref, sha, reason: error instanceof Error ? error.message : String(error) };
  }
}

function shasOf(head: StoredHead): string[] {
  return head.sha === head.peeled ? [head.peeled] : [head.peeled, head.sha];
}
