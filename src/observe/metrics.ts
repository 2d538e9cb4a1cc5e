// Prometheus metrics at /metrics. One registry per service (not prom-client's global one), so that
// tests can start several services in one process and read each one's numbers.

import type { Router } from "@koa/router";
import type { Middleware } from "koa";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RunStateChange } from "../journal/run-state.ts";
import type { DeliveryOutcome } from "../receive/commit-delivery.ts";
import type { HookObserver, StatusMetrics } from "./metric-ports.ts";
import type { AttemptResult, ForgeName } from "../types.ts";

export interface Metrics extends HookObserver, StatusMetrics {
  readonly registry: Registry;
  attempt(result: AttemptResult): void;
  /** Called at scrape time: the journal's pending dispatches. */
  setPendingSource(read: () => number): void;
  /** A followed run changed (after its commit): results and lost runs are counted. */
  runChanged(change: RunStateChange): void;
  /** A lost run's dispatch was queued again. */
  runRequeued(): void;
  /** Called at scrape time: runs still followed, and whether laminard's stream is up. */
  setRunSources(sources: { followed: () => number; connected: () => boolean }): void;
}

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const deliveries = new Counter({
    name: "laminar_hooks_deliveries_total",
    help: "Verified deliveries by forge, event and outcome (accepted, unmatched, duplicate, ignored, ping)",
    labelNames: ["forge", "event", "outcome"] as const,
    registers: [registry],
  });
  const rejected = new Counter({
    name: "laminar_hooks_rejected_total",
    help: "Deliveries refused with a 4xx or 5xx, by forge and status",
    labelNames: ["forge", "status"] as const,
    registers: [registry],
  });
  const answerSeconds = new Histogram({
    name: "laminar_hooks_answer_seconds",
    help: "Time to answer an HTTP request",
    labelNames: ["status"] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  const attempts = new Counter({
    name: "laminar_hooks_dispatch_attempts_total",
    help: "laminarc attempts by outcome (queued, retry, permanent)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const laminarcSeconds = new Histogram({
    name: "laminar_hooks_laminarc_seconds",
    help: "Time one laminarc attempt took",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const unverifiedRefused = new Counter({
    name: "laminar_hooks_unverified_refused_total",
    help: "Deliveries refused with 503 because bodies not verified yet held all that server.unverified_limit allows, by forge",
    labelNames: ["forge"] as const,
    registers: [registry],
  });
  const unverifiedBytes = new Gauge({
    name: "laminar_hooks_unverified_bytes",
    help: "Bytes held now by hook bodies whose signature is not checked yet (bounded by server.unverified_limit)",
    registers: [registry],
  });
  let readPending: () => number = () => 0;
  new Gauge({
    name: "laminar_hooks_pending_dispatches",
    help: "Dispatches waiting for laminarc (pending or in flight)",
    registers: [registry],
    collect() {
      this.set(readPending());
    },
  });

  const runs = new Counter({
    name: "laminar_hooks_runs_total",
    help: "Followed Laminar runs that ended, by result (success, failed, aborted, lost: forgotten by a laminard restart)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const requeued = new Counter({
    name: "laminar_hooks_runs_requeued_total",
    help: "Lost runs queued again (laminar.requeue_lost)",
    registers: [registry],
  });
  let runSources = { followed: () => 0, connected: () => false };
  new Gauge({
    name: "laminar_hooks_runs_followed",
    help: "Runs queued or running in Laminar that are followed to their end",
    registers: [registry],
    collect() {
      this.set(runSources.followed());
    },
  });
  new Gauge({
    name: "laminar_hooks_laminard_connected",
    help: "1 while laminard's event stream is connected (laminar.http), else 0",
    registers: [registry],
    collect() {
      this.set(runSources.connected() ? 1 : 0);
    },
  });
  const statusPosts = new Counter({
    name: "laminar_hooks_status_posts_total",
    help: "Commit status posts by forge and outcome (posted, retry, refused, failed, canceled)",
    labelNames: ["forge", "outcome"] as const,
    registers: [registry],
  });
  let readOutbox: () => number = () => 0;
  new Gauge({
    name: "laminar_hooks_status_outbox",
    help: "Commit statuses waiting to be posted or being posted",
    registers: [registry],
    collect() {
      this.set(readOutbox());
    },
  });

  return {
    registry,
    delivery(forge: ForgeName, event: string, outcome: DeliveryOutcome) {
      deliveries.inc({ forge, event, outcome });
    },
    rejected(forge: string, status: number) {
      rejected.inc({ forge, status: String(status) });
    },
    answered(status: number, seconds: number) {
      answerSeconds.observe({ status: String(status) }, seconds);
    },
    unverifiedHeld(bytes: number) {
      unverifiedBytes.set(bytes);
    },
    unverifiedRefused(forge: string) {
      unverifiedRefused.inc({ forge });
    },
    attempt(result: AttemptResult) {
      attempts.inc({ outcome: result.outcome.kind });
      laminarcSeconds.observe(result.durationMs / 1000);
    },
    setPendingSource(read) {
      readPending = read;
    },
    runChanged(change) {
      if (change.state === "success" || change.state === "failed" || change.state === "aborted" || change.state === "lost") {
        runs.inc({ result: change.state });
      }
    },
    runRequeued() {
      requeued.inc();
    },
    setRunSources(sources) {
      runSources = sources;
    },
    statusPost(forge, outcome) {
      statusPosts.inc({ forge, outcome });
    },
    setOutboxSource(read) {
      readOutbox = read;
    },
  };
}

/** GET /metrics in Prometheus' text format. */
export function mountMetrics(router: Router, metrics: Metrics, guard: Middleware): void {
  router.get("/metrics", guard, async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
}
