import { HttpError } from "../errors.ts";
import { forges } from "../forges/index.ts";
import { planDelivery, type Plan } from "../receive/plan-delivery.ts";
import type { Config } from "../types.ts";
import type { CommandIO } from "./io.ts";
import { findDelivery, writingJournal } from "./with-journal.ts";

/**
 * `redeliver ID`: routes the journaled payload again with the current config and adds its jobs
 * to the same delivery. The running service's dispatcher picks them up from the journal (it polls
 * every second), so this works without signals or sockets.
 */
export function redeliverCommand(config: Config, id: string, io: CommandIO): Promise<number> {
  return writingJournal(config, io, (journal) => {
    const detail = findDelivery(journal, config, id, io);
    if (!detail) return 1;
    const envelope = { forge: detail.forge, event: detail.forgeEvent, deliveryId: detail.deliveryId };
    let plan: Plan;
    try {
      // The same way from payload to jobs as the hook endpoint's, without the signature: it was
      // checked when the delivery was journaled.
      plan = planDelivery(config, forges[detail.forge], envelope, JSON.parse(detail.payload));
    } catch (error) {
      io.err(`delivery ${detail.id} cannot be routed again with the config ${config.file}: ${error instanceof HttpError ? error.message : String(error)}`);
      return 1;
    }
    if (plan.kind !== "routed") {
      io.err(`delivery ${detail.id} is a ${detail.forgeEvent} event, which starts no job`);
      return 1;
    }
    const { routing } = plan;
    const trace = routing.trace.map((line) => `  ${line.matched ? "✓" : "✗"} ${line.job}: ${line.reason}`);
    if (routing.jobs.length === 0) {
      io.out([`delivery ${detail.id}: no job matches with the current config`, ...trace].join("\n"));
      return 1;
    }
    const ids = journal.addDispatches(detail.id, routing.jobs, routing.trace);
    io.out([
      `delivery ${detail.id}: ${ids.length} job(s) pending (${routing.jobs.map((job) => job.job).join(", ")}); the service queues them within a second`,
      ...trace,
    ].join("\n"));
    return 0;
  });
}

/** `redeliver --failed [ID]`: the failed jobs of one delivery, or of every delivery, are tried again. */
export function retryFailedCommand(config: Config, id: string | undefined, io: CommandIO): Promise<number> {
  return writingJournal(config, io, (journal) => {
    let deliveryId: number | undefined;
    if (id !== undefined) {
      const detail = findDelivery(journal, config, id, io);
      if (!detail) return 1;
      deliveryId = detail.id;
    }
    const count = journal.retryFailed(deliveryId);
    const scope = deliveryId === undefined ? "in the journal" : `of delivery ${deliveryId}`;
    io.out(count === 0
      ? `no failed job ${scope}`
      : `${count} failed job(s) ${scope} pending again, with a fresh retry budget; the service queues them within a second`);
    return 0;
  });
}
