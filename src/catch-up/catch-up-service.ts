// Catch-up inside the running service: a pass once at start and every `catch_up.interval`, in the
// background, one at a time. A pass that fails is logged and counted; it never stops the service.

import { setTimeout as sleep } from "node:timers/promises";
import type { Registry } from "prom-client";
import type { CatchUpStore } from "../journal/catch-up-store.ts";
import type { Logger } from "../observe/logger.ts";
import type { Config } from "../types.ts";
import { createCatchUpMetrics, type CatchUpMetrics } from "./catch-up-metrics.ts";
import { describeFinding, describeRedelivery, forgeLabel } from "./describe-pass.ts";
import { lsRemote } from "./ls-remote.ts";
import type { ReceiveServices } from "./receive-polled.ts";
import { runPass, type PassReport } from "./run-pass.ts";
import { graceFor, nextPassDelay } from "./schedule.ts";

/** One `git ls-remote`; a remote slower than this is reported and asked again next pass. */
export const LS_REMOTE_TIMEOUT_MS = 30_000;

interface CatchUpOptions {
  getConfig: () => Config;
  store: CatchUpStore;
  services: ReceiveServices;
  logger: Logger;
  registry: Registry;
  /** git's environment (its credential helpers, HOME, SSH agent). */
  env: NodeJS.ProcessEnv;
  /**
   * Replaces a catch_up.interval that is on (not 0): tests run passes closer together than the
   * config's 30 s minimum allows (schema.ts says why it is there).
   */
  intervalMs?: number;
}

export class CatchUp {
  readonly #options: CatchUpOptions;
  readonly #metrics: CatchUpMetrics;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #lastStartedAt: number | undefined;

  constructor(options: CatchUpOptions) {
    this.#options = options;
    this.#metrics = createCatchUpMetrics(options.registry);
  }

  /** The first pass, now (in the background), and the schedule after it. */
  start(): void {
    this.#schedule();
  }

  /** A reload may have turned catch-up on or off, or changed its interval. */
  configChanged(): void {
    if (this.#running === undefined) this.#schedule();
  }

  /** Cancels the next pass, stops the one running (its git, its wait, its forge API requests) and waits for it to end. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort.abort();
    await this.#running;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#abort.signal.aborted) return;
    const delay = nextPassDelay(this.#intervalMs(this.#options.getConfig()), this.#lastStartedAt, Date.now());
    if (delay === undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#pass().finally(() => {
        this.#running = undefined;
        this.#schedule();
      });
    }, delay).unref();
  }

  #intervalMs(config: Config): number {
    const configured = config.catchUp.intervalMs;
    return configured > 0 && this.#options.intervalMs !== undefined ? this.#options.intervalMs : configured;
  }

  async #pass(): Promise<void> {
    this.#lastStartedAt = Date.now();
    const config = this.#options.getConfig();
    const signal = this.#abort.signal;
    try {
      const report = await runPass({
        config,
        store: this.#options.store,
        services: this.#options.services,
        listHeads: (remote) => lsRemote(remote, { timeoutMs: LS_REMOTE_TIMEOUT_MS, env: this.#options.env, cancelSignal: signal }),
        graceMs: graceFor(this.#intervalMs(config)),
        sleep: (ms) => sleep(ms, undefined, { signal }),
        now: Date.now,
        signal,
      });
      // Cut short by stop(): the requests it aborted are not the forge's failures.
      if (signal.aborted) return;
      this.#metrics.pass(report);
      this.#log(report);
    } catch (error) {
      if (signal.aborted) return;
      this.#metrics.failed("poll");
      this.#options.logger.error({ err: error }, "catch-up pass failed; the next one tries again");
    }
  }

  #log(report: PassReport): void {
    const { logger } = this.#options;
    for (const redelivery of report.redeliveries) {
      if (redelivery.outcome === "failed") {
        logger.warn({ repo: redelivery.repo, reason: redelivery.reason }, `catch-up: reading ${forgeLabel(redelivery.forge)}'s delivery log failed`);
      }
      for (const finding of redelivery.findings) {
        const line = { repo: redelivery.repo, delivery: finding.guid, event: finding.event };
        const text = `catch-up: ${describeRedelivery(finding, redelivery.forge)}`;
        if (finding.kind === "refused" || finding.kind === "failed") logger.warn(line, text);
        else logger.info(line, text);
      }
    }
    for (const poll of report.polls) {
      const fields = { repo: poll.repo, remote: poll.remote };
      if (poll.outcome === "failed") logger.warn({ ...fields, reason: poll.reason }, "catch-up: polling the remote failed");
      if (poll.outcome === "baseline") logger.info({ ...fields, heads: poll.heads }, `catch-up: ${poll.reason ?? "heads recorded"}`);
      for (const finding of poll.findings) {
        const line = { ...fields, ref: finding.ref, sha: finding.sha };
        const text = `catch-up: ${describeFinding(finding)}`;
        if (finding.kind === "failed") logger.error(line, text);
        else if (finding.kind === "queued" || finding.kind === "unmatched") logger.info({ ...line, delivery: finding.deliveryId, id: finding.id }, text);
        else logger.debug(line, text);
      }
    }
  }
}
