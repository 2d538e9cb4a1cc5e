// The history of a chaos run: every delivery sent and its answer, every fault, and (gathered at the
// end from the fakes and the service's log) what laminard and the forge's API did and what the
// service said, each tied to the push it concerns. A broken invariant prints the history of its
// push, in order, so the failure reads as a story rather than a count.

import type { FakeLaminardEvent } from "../fixtures/fake-laminard.ts";
import type { RecordedRequest } from "../fixtures/fake-forge-api.ts";
import type { PlannedPush } from "./chaos-plan.ts";

export type HistorySource = "forge" | "fault" | "laminard" | "status-api" | "service";

export interface HistoryEvent {
  at: number;
  source: HistorySource;
  /** The push it concerns; none: it concerns them all (a fault, laminard restarting). */
  push?: number;
  text: string;
}

export class ChaosHistory {
  readonly events: HistoryEvent[] = [];

  constructor(readonly startedAt: number) {}

  record(source: HistorySource, text: string, push?: number, at = Date.now()): void {
    this.events.push({ at, source, text, ...(push === undefined ? {} : { push }) });
  }

  /** laminard's events, each run tied to its push by its `rev=` parameter. */
  addLaminard(events: readonly FakeLaminardEvent[], pushes: readonly PlannedPush[]): void {
    const bySha = new Map(pushes.map((push) => [push.sha, push.index]));
    const pushOfRun = new Map<string, number>();
    for (const event of events) {
      const run = `${event.name ?? ""}:${event.number ?? 0}`;
      if (event.type === "job_queued") {
        const rev = event.params?.find((param) => param.startsWith("rev="))?.slice(4);
        const push = rev === undefined ? undefined : bySha.get(rev);
        if (push !== undefined) pushOfRun.set(run, push);
        const delivery = event.params?.find((param) => param.startsWith("delivery="))?.slice(9);
        this.record("laminard", `job_queued ${run} (delivery=${delivery ?? "?"}${event.held ? "; answer held: laminarc gets none" : ""})`, push, event.at);
      } else if (event.type === "job_started" || event.type === "job_completed") {
        this.record("laminard", `${event.type} ${run}${event.result === undefined ? "" : ` ${event.result}`}`, pushOfRun.get(run), event.at);
      } else {
        this.record("laminard", event.type === "stopped" ? "laminard stopped (SIGTERM: running runs aborted, queued ones lost)" : "laminard listening", undefined, event.at);
      }
    }
  }

  /** Requests to the forge's status API and how the fake answered them. */
  addStatusRequests(requests: readonly RecordedRequest[], pushes: readonly PlannedPush[]): void {
    const bySha = new Map(pushes.map((push) => [push.sha, push.index]));
    for (const request of requests) {
      const sha = /\/statuses\/([0-9a-f]{40})$/.exec(request.rawPath)?.[1];
      if (sha === undefined) continue;
      const body = (request.body ?? {}) as { state?: string; context?: string; target_url?: string };
      const answer = request.answer === undefined ? "no answer yet" : request.answer === "hang" ? "hung" : String(request.answer);
      const late = request.delayedMs === undefined ? "" : ` after ${request.delayedMs} ms`;
      this.record("status-api", `${body.context ?? "?"} ${body.state ?? "?"} ${body.target_url ?? ""} → ${answer}${late}`, bySha.get(sha), request.at);
    }
  }

  /** The service's log lines that name a push's commit or one of its deliveries. */
  addServiceLog(lines: readonly Record<string, unknown>[], pushes: readonly PlannedPush[]): void {
    for (const line of lines) {
      const text = JSON.stringify(line);
      const push = pushes.find((candidate) => text.includes(candidate.sha) || candidate.deliveries.some((delivery) => text.includes(`"${delivery.id}"`)));
      if (push === undefined && line.level !== undefined && Number(line.level) < 40) continue;
      const { level, time, pid, msg, service, repo, ...rest } = line;
      void service;
      void repo;
      const fields = Object.entries(rest)
        .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
        .join(" ");
      this.record("service", `[${String(pid ?? "?")} ${levelName(level)}] ${String(msg ?? "")} ${fields}`.trimEnd().slice(0, 400), push?.index, Number(time ?? Date.now()));
    }
  }

  /** One push's events with the faults and laminard's restarts, oldest first. */
  ofPush(index: number): HistoryEvent[] {
    return this.events.filter((event) => event.push === index || (event.push === undefined && event.source !== "service")).sort((a, b) => a.at - b.at);
  }

  format(events: readonly HistoryEvent[]): string {
    return events.map((event) => `  +${String(event.at - this.startedAt).padStart(6)} ms  ${event.source.padEnd(10)} ${event.text}`).join("\n");
  }
}

function levelName(level: unknown): string {
  return { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" }[Number(level)] ?? String(level);
}
