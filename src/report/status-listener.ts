import type { StatusOutbox } from "../journal/status-outbox.ts";
import type { RunStateListener } from "../journal/run-state.ts";
import type { Config } from "../types.ts";
import { planStatus } from "./plan-status.ts";

interface StatusListenerOptions {
  outbox: StatusOutbox;
  getConfig: () => Config;
  /** Told after a post was added (the poster's kick); it must defer its work past the transaction. */
  onEnqueued?: () => void;
}

/**
 * Turns each change of a run into the status post it calls for, in the outbox. Runs inside the
 * transaction that records the change: if the outbox cannot be written it throws, and the change
 * is rolled back with it, so no result is kept without its status.
 */
export function createStatusListener(options: StatusListenerOptions): RunStateListener {
  return (change) => {
    const facts = options.outbox.dispatchFacts(change.dispatchId);
    if (facts === undefined) return;
    const post = planStatus(change, facts, options.getConfig());
    if (post === undefined) return;
    options.outbox.enqueue(post, change.at);
    options.onEnqueued?.();
  };
}
