// Catch-up's numbers at /metrics, on the service's registry.

import { Counter, type Registry } from "prom-client";
import type { PassReport } from "./run-pass.ts";

type CatchUpSource = "poll" | "redeliver";

export interface CatchUpMetrics {
  /** One pass, counted by what it found and what failed. */
  pass(report: PassReport): void;
  /** A pass that could not run at all (the journal failed). */
  failed(source: CatchUpSource): void;
}

export function createCatchUpMetrics(registry: Registry): CatchUpMetrics {
  const passes = new Counter({
    name: "laminar_hooks_catch_up_passes_total",
    help: "Catch-up passes by source (poll: git ls-remote, redeliver: the forge's delivery log)",
    labelNames: ["source"] as const,
    registers: [registry],
  });
  const found = new Counter({
    name: "laminar_hooks_catch_up_found_total",
    help: "Pushes found with no delivery (poll) and failed deliveries sent again (redeliver), by source",
    labelNames: ["source"] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: "laminar_hooks_catch_up_failures_total",
    help: "Catch-up failures by source: a remote or forge API that could not be asked, a finding not kept",
    labelNames: ["source"] as const,
    registers: [registry],
  });
  // Present from the start, so a dashboard tells "never failed" from "not running".
  for (const source of ["poll", "redeliver"] as const) {
    passes.inc({ source }, 0);
    found.inc({ source }, 0);
    failures.inc({ source }, 0);
  }
  return {
    pass(report) {
      if (report.redeliveries.length > 0) passes.inc({ source: "redeliver" });
      for (const redelivery of report.redeliveries) {
        if (redelivery.outcome === "failed") failures.inc({ source: "redeliver" });
        for (const finding of redelivery.findings) {
          if (finding.kind === "asked") found.inc({ source: "redeliver" });
          if (finding.kind === "failed") failures.inc({ source: "redeliver" });
        }
      }
      if (report.polls.length === 0) return;
      passes.inc({ source: "poll" });
      for (const poll of report.polls) {
        if (poll.outcome === "failed") failures.inc({ source: "poll" });
        for (const finding of poll.findings) {
          if (finding.kind === "queued" || finding.kind === "unmatched") found.inc({ source: "poll" });
          if (finding.kind === "failed") failures.inc({ source: "poll" });
        }
      }
    },
    failed(source) {
      passes.inc({ source });
      failures.inc({ source });
    },
  };
}
