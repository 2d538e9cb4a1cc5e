// Wires the stages together for `serve`: config → journal → dispatcher → HTTP. Tests start the
// same thing in-process; the CLI adds signals around it.

import { CatchUp } from "./catch-up/index.ts";
import { loadConfig } from "./config/load-config.ts";
import { watchConfigFile } from "./config/watch-config.ts";
import { Dispatcher } from "./dispatch/index.ts";
import { ConfigError } from "./errors.ts";
import { createApp } from "./http/create-app.ts";
import { startServer, type Listening } from "./http/start-server.ts";
import { openJournal, type Journal, type OpenJournalOptions } from "./journal/index.ts";
import { LaminarcHelper } from "./laminar/index.ts";
import { RunFollower } from "./laminar/follow-runs.ts";
import { RunStateHub } from "./laminar/run-state-hub.ts";
import { RunAborter } from "./laminar/run-aborter.ts";
import { createSupersedeListener } from "./laminar/supersede-runs.ts";
import { resolveHead } from "./catch-up/resolve-head.ts";
import { forgeApis } from "./forges/api-clients.ts";
import type { RunStateListener } from "./journal/run-state.ts";
import { createLogger, type Logger } from "./observe/logger.ts";
import { createMetrics, mountMetrics, type Metrics } from "./observe/metrics.ts";
import { mountUi } from "./ui/mount-ui.ts";
import { startStatusReporter, type StatusReporter } from "./report/index.ts";
import type { Config, LogLevel } from "./types.ts";

export interface ServiceOptions {
  configFile: string;
  /** Environment the config's `{ env }` secrets are read from, and laminarc's base environment. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Overrides `log.level` of the config (`serve --log-level`). */
  logLevel?: LogLevel;
  /** Reload when the config file changes (default true); SIGHUP works either way. */
  watchConfig?: boolean;
  /** Node's process metrics (memory, event loop lag); off in tests that start many services. */
  processMetrics?: boolean;
  /** Opens the journal's SQLite connection; tests keep it to fill the journal (a real SQLITE_FULL). */
  connectJournal?: OpenJournalOptions["connect"];
  /** Following runs: the reconnect backoff and the wait before asking laminard again (tests shorten them). */
  follow?: { backoff?: { delayMs: number; maxDelayMs: number }; recheckMs?: number; idleTimeoutMs?: number; snapshotTimeoutMs?: number };
  /** Catch-up's interval when catch_up.interval is on (tests shorten it below the config's minimum). */
  catchUpIntervalMs?: number;
}

export interface Service {
  readonly address: string;
  readonly journal: Journal;
  readonly dispatcher: Dispatcher;
  /** Commit statuses: its `listener` is told of every run change, inside the journal's transaction. */
  readonly statusReporter: StatusReporter;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly catchUp: CatchUp;
  /** Follows each run through laminard's event stream (with `laminar.http`). */
  readonly follower: RunFollower;
  /**
   * Adds a listener of run-state changes, told inside the journal transaction of each change
   * (queued, running, a result, lost, error); returns its remover.
   */
  onRunState(listener: RunStateListener): () => void;
  config(): Config;
  /** Loads the config file again; a broken one is refused and the old one stays. */
  reload(): { ok: true } | { ok: false; error: ConfigError };
  /** Stops accepting, lets attempts in flight finish for up to `graceMs`, closes the journal. */
  stop(graceMs?: number): Promise<void>;
}

const PRUNE_INTERVAL_MS = 3_600_000;
/** A person waits for the page's answer to a manual build: git ls-remote gets this long. */
const RESOLVE_HEAD_TIMEOUT_MS = 20_000;

export async function startService(options: ServiceOptions): Promise<Service> {
  const env = options.env ?? process.env;
  let config = loadConfig(options.configFile, { env });
  const logger = options.logger ?? createLogger({ level: options.logLevel ?? config.log.level });
  // laminarc is started from a small helper process: a spawn from this one would block the
  // event loop, and so every answer, for milliseconds. A helper that cannot be used (not built,
  // or built elsewhere) stops the start here, saying what to do, before anything is accepted.
  const laminarc = new LaminarcHelper();
  await laminarc.start();
  // The WAL is synced off the event loop, once for all the deliveries of a turn (group commit).
  let journal: Journal;
  try {
    journal = openJournal(config.journal.path, {
      syncInBackground: true,
      ...(options.connectJournal ? { connect: options.connectJournal } : {}),
    });
  } catch (error) {
    await laminarc.close();
    throw error;
  }
  const metrics = createMetrics({ processMetrics: options.processMetrics ?? true });

  const dispatcher = new Dispatcher({
    journal,
    getLaminarConfig: () => config.laminar,
    // laminarc's environment is built from the service's (tests pass their fake's folder in it).
    run: (request, runOptions) => laminarc.run(request, { ...runOptions, env }),
    logger,
    onAttempt: ({ result }) => metrics.attempt(result),
    // An attempt whose outcome is unknown is looked for in laminard before it is made again.
    findQueued: (query, signal) => follower.findQueued(query, signal),
    // `laminar-hooks redeliver` adds dispatches from another process: seen within a second.
    pollIntervalMs: 1_000,
  });
  // Waiting for an attempt, or in one now: both are builds Laminar has not been given yet.
  metrics.setPendingSource(() => journal.pendingCount() + dispatcher.inFlight);

  // Each run laminarc queued is recorded in the attempt's own transaction, then followed.
  const runStates = new RunStateHub();
  // Commit statuses: each run change adds its post to the outbox in the change's own transaction.
  // Started now, before anything can change: it also posts what a previous process left.
  const statusReporter = startStatusReporter({ outbox: journal.statusOutbox, getConfig: () => config, logger, metrics });
  runStates.add(statusReporter.listener);
  // Aborts asked from the page (and by `supersede`): sent when their run runs.
  const aborter = new RunAborter({
    actions: journal.actions,
    runsOf: (ids) => journal.runsOf(ids),
    abort: (job, number, host) => laminarc.abort(job, number, {
      laminarc: config.laminar.laminarc, timeoutMs: config.laminar.timeoutMs, host: host === "" ? config.laminar.host : host, env,
    }),
    logger,
  });
  runStates.add(aborter.listener);
  // A newer push of a branch marks the older runs of a `supersede:` job, in the queued change's transaction.
  runStates.add(createSupersedeListener({
    actions: journal.actions,
    getConfig: () => config,
    dispatchFacts: (dispatchId) => journal.statusOutbox.dispatchFacts(dispatchId),
    abortNow: (dispatchId) => aborter.asked(dispatchId),
  }));
  const runs = journal.runJournal(runStates.emit);
  const follower = new RunFollower({
    runs,
    getConfig: () => config,
    emit: runStates.emit,
    logger,
    onRequeue: () => {
      metrics.runRequeued();
      dispatcher.kick();
    },
    onChange: (change) => metrics.runChanged(change),
    ...options.follow,
  });
  journal.onAttemptRecorded((attempt) => follower.attemptRecorded(attempt));
  metrics.setRunSources({ followed: () => runs.followedCount(), connected: () => follower.connected });
  // A manual build's head, asked of the forge when no git remote of the repository is known.
  const headApis = forgeApis();
  const app = createApp({
    getConfig: () => config,
    journal,
    now: Date.now,
    kick: () => dispatcher.kick(),
    observe: metrics,
    logger,
    extraRoutes: (router, internal) => {
      mountMetrics(router, metrics, internal);
      mountUi(router, {
        getConfig: () => config,
        journal,
        now: Date.now,
        act: {
          actions: journal.actions,
          runsOf: (ids) => journal.runsOf(ids),
          kick: () => dispatcher.kick(),
          abortAsked: (dispatchId) => aborter.asked(dispatchId),
          resolveHead: (input) => resolveHead(input, { timeoutMs: RESOLVE_HEAD_TIMEOUT_MS, env, config, apis: headApis }),
        },
      });
    },
  });

  let listening: Listening;
  try {
    listening = await startServer(app.callback(), config.server);
  } catch (error) {
    await statusReporter.stop();
    await journal.close();
    await laminarc.close();
    throw error;
  }
  dispatcher.start();
  follower.start();
  aborter.resume();
  // Pushes whose webhook never arrived: polled remotes, once now and every catch_up.interval.
  const catchUp = new CatchUp({
    getConfig: () => config,
    store: journal.catchUp,
    // Counted with the webhooks' deliveries, as what they are: deliveries.
    services: { journal, kick: () => dispatcher.kick(), observe: metrics, now: Date.now },
    logger,
    registry: metrics.registry,
    env,
    ...(options.catchUpIntervalMs === undefined ? {} : { intervalMs: options.catchUpIntervalMs }),
  });
  catchUp.start();
  // In chunks, between answers: a first prune after a long stop may have many thousands to delete.
  const prune = () => journal.prune(config.journal.retentionMs).then(
    (pruned) => {
      if (pruned > 0) logger.info({ pruned }, "old deliveries pruned from the journal");
    },
    (error: unknown) => logger.warn({ err: error }, "pruning the journal failed; will try again"),
  );
  void prune();
  const pruneTimer = setInterval(() => void prune(), PRUNE_INTERVAL_MS).unref();

  logWarnings(config, logger);
  logger.info({ address: listening.address, config: config.file, journal: config.journal.path }, "listening");

  const service: Service = {
    address: listening.address,
    journal,
    dispatcher,
    statusReporter,
    logger,
    metrics,
    catchUp,
    follower,
    onRunState: (listener) => runStates.add(listener),
    config: () => config,
    reload() {
      try {
        const next = loadConfig(options.configFile, { env });
        warnAboutRestartOnly(config, next, logger);
        logWarnings(next, logger);
        config = next;
        statusReporter.describe(next);
        if (!options.logger) logger.level = options.logLevel ?? next.log.level;
        logger.info({ config: next.file, repositories: next.repositories.length }, "config reloaded");
        dispatcher.kick();
        catchUp.configChanged();
        follower.start();
        return { ok: true };
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        logger.error({ problems: error.problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.message}`) },
          "config reload refused; the previous config stays in force");
        return { ok: false, error };
      }
    },
    async stop(graceMs = 10_000) {
      clearInterval(pruneTimer);
      stopWatching();
      await catchUp.stop();
      await listening.close();
      await dispatcher.stop({ graceMs });
      await follower.stop();
      await aborter.drain();
      await statusReporter.stop();
      await laminarc.close();
      await journal.close();
      logger.info("stopped");
    },
  };
  const stopWatching = options.watchConfig === false ? () => {} : watchConfigFile(options.configFile, () => service.reload(), logger);
  return service;
}

/** What `check` would warn about, said once per load. */
function logWarnings(config: Config, logger: Logger): void {
  for (const warning of config.warnings) logger.warn({ at: `${warning.file}:${warning.line}:${warning.col}` }, warning.message);
}

/** These are bound once at start; a reload cannot move them. */
function warnAboutRestartOnly(current: Config, next: Config, logger: Logger): void {
  const changed = [
    JSON.stringify(current.server.listen) !== JSON.stringify(next.server.listen) && "server.listen",
    current.server.path !== next.server.path && "server.path",
    current.journal.path !== next.journal.path && "journal.path",
  ].filter(Boolean);
  if (changed.length > 0) logger.warn({ keys: changed }, "these settings take effect at the next restart");
}
