import type { StageLogger } from "../observe/stage-logger.ts";
import { StatusOutbox } from "../journal/status-outbox.ts";
import type { RunStateListener } from "../journal/run-state.ts";
import type { StatusMetrics } from "../observe/metric-ports.ts";
import type { Config, ForgeName, RetryPolicy } from "../types.ts";
import { createStatusListener } from "./status-listener.ts";
import { StatusPoster, type PostEvent } from "./status-poster.ts";
import type { PostStatus } from "../forges/shared/status-request.ts";

interface StatusReporterOptions {
  /** The journal's outbox (Journal.statusOutbox): in the same file and transactions as the runs. */
  outbox: StatusOutbox;
  getConfig: () => Config;
  logger: StageLogger;
  metrics?: StatusMetrics;
  /** Told after each post's attempt is recorded (tests wait on it). */
  onPost?: (event: PostEvent) => void;
  fetch?: typeof fetch;
  clients?: Partial<Record<ForgeName, PostStatus>>;
  now?: () => number;
  random?: () => number;
  concurrency?: number;
  timeoutMs?: number;
  retry?: RetryPolicy;
}

/** Commit statuses, wired: give `listener` to whatever records run changes; stop() before closing the journal. */
export interface StatusReporter {
  /** Called inside the transaction that records a run's change; adds the post and wakes the poster. */
  readonly listener: RunStateListener;
  readonly outbox: StatusOutbox;
  readonly poster: StatusPoster;
  /** Says once what cannot get statuses (Gogs), e.g. after a reload. */
  describe(config: Config): void;
  stop(): Promise<void>;
}

/** Creates the outbox, its listener and the poster, and starts posting what the last process left. */
export function startStatusReporter(options: StatusReporterOptions): StatusReporter {
  const { outbox } = options;
  const poster = new StatusPoster({
    outbox,
    getConfig: options.getConfig,
    logger: options.logger,
    ...pick(options, ["fetch", "clients", "now", "random", "concurrency", "timeoutMs", "retry"]),
    onPost: (event) => {
      options.metrics?.statusPost(event.post.forge, event.decision.outcome);
      options.onPost?.(event);
    },
  });
  options.metrics?.setOutboxSource(() => outbox.waitingCount());
  const listener = createStatusListener({ outbox, getConfig: options.getConfig, onEnqueued: () => poster.kick() });
  const reporter: StatusReporter = {
    listener,
    outbox,
    poster,
    describe: (config) => describeStatuses(config, options.logger),
    stop: () => poster.stop(),
  };
  reporter.describe(options.getConfig());
  poster.start();
  return reporter;
}

/** Gogs has no commit status API (reference/forges.md): said once at load rather than at every run. */
function describeStatuses(config: Config, logger: StageLogger): void {
  const gogs = config.forges.gogs !== undefined || config.repositories.some((repository) => repository.forge === "gogs");
  if (gogs) logger.info({ forge: "gogs" }, "Gogs has no commit status API: runs of Gogs deliveries get no commit status");
}

function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (from[key] !== undefined) picked[key] = from[key];
  return picked;
}
